import Foundation

extension Workflow {
    /// The actions `principal` may take now on an article in `state`, as far as the state and
    /// their permissions and desk say (`rule(for:)`, `Principal.require`, `requireDesk`): what
    /// a person is offered. An offered action may still be refused for its facts (an unmet
    /// checkpoint, a missing reason), with every unmet requirement named.
    public static func actions(
        openTo principal: Principal, state: ArticleState, origin: Origin, section: String
    ) -> [ArticleAction] {
        ArticleAction.allCases.filter { action in
            guard action != .edit, rule(for: action).from.contains(state) else { return false }
            let permission = Permissions.required(for: action)
            return (try? principal.require(permission, articleOrigin: origin)) != nil
                && (try? principal.requireDesk(section, for: permission)) != nil
        }
    }
}
