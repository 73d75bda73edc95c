import Foundation

/// Whether someone may be asked to take a step of an article: they must be able to do it, by
/// the same rules that decide when they do (`VerdictRules` for a checkpoint, `Workflow`'s
/// approve for approval), on top of being active, a person and on the article's desk.
public enum AssignmentRules {
    /// What the rules need to know about the article and the assignee.
    public struct Facts: Sendable {
        public var assignee: Principal
        public var active: Bool
        public var section: String
        public var origin: Origin
        public var state: ArticleState
        public var revision: Int
        /// The assignee wrote the current revision.
        public var isAuthor: Bool
        /// Checkpoints whose counting verdict is the assignee's waiver (approval's four-eyes).
        public var waivedByAssignee: [String]

        public init(
            assignee: Principal, active: Bool, section: String, origin: Origin, state: ArticleState, revision: Int, isAuthor: Bool,
            waivedByAssignee: [String]
        ) {
            self.assignee = assignee
            self.active = active
            self.section = section
            self.origin = origin
            self.state = state
            self.revision = revision
            self.isAuthor = isAuthor
            self.waivedByAssignee = waivedByAssignee
        }
    }

    /// Every reason the assignee cannot take the checkpoint `rule` names (`rule` as the policy
    /// requires it of the article), or approval when `rule` is nil; empty when they can.
    public static func problems(step rule: WorkflowPolicy.Rule?, _ facts: Facts) -> [String] {
        let assignee = facts.assignee
        var problems: [String] = []
        if !facts.active { problems.append("\(assignee.name) is deactivated") }
        if !assignee.covers(section: facts.section) {
            problems.append("\(assignee.name) works on the desk of section(s) \(assignee.sections.sorted().joined(separator: ", "))")
        }
        if ![.draft, .inReview].contains(facts.state) {
            problems.append("steps are assigned while the article is draft or in_review")
        }
        if let rule {
            if assignee.kind == .service { problems.append("checkpoints are checked by people, and \(assignee.name) is a service") }
            problems += refusal { () throws(GalleyError) in
                try assignee.require(.recordVerification)
                try VerdictRules.check(
                    .init(
                        verdict: .passed, rule: rule, origin: facts.origin, state: .inReview, revision: facts.revision,
                        roles: assignee.effectiveRoles, isAuthor: facts.isAuthor, blockingClaims: []))
            }
        } else {
            problems += refusal { () throws(GalleyError) in
                try assignee.require(.approveArticle)
                _ = try Workflow.transition(
                    from: .inReview, action: .approve,
                    facts: TransitionFacts(
                        now: Date(timeIntervalSince1970: 0), actorAuthoredCurrentRevision: facts.isAuthor,
                        actorIsService: assignee.kind == .service, checkpointsWaivedByActor: facts.waivedByAssignee))
            }
        }
        return problems
    }

    /// The reasons a rule gives for refusing, as sentences.
    private static func refusal(_ body: () throws(GalleyError) -> Void) -> [String] {
        do {
            try body()
            return []
        } catch {
            switch error {
            case .forbidden(_, let reason): return [reason]
            case .invalidTransition(_, _, let unmet): return unmet.map(\.message)
            default: return [error.message]
            }
        }
    }
}
