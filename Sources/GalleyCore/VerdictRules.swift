import Foundation

/// Who may record which verdict on a checkpoint of a revision: the one place that decides,
/// for the API and the CLI alike.
public enum VerdictRules {
    /// What one verdict is about, gathered by the service.
    public struct Facts: Sendable {
        public var verdict: Verdict
        /// The checkpoint as the policy requires it of this article (`requiredCheckpoints`).
        public var rule: WorkflowPolicy.Rule
        public var origin: Origin
        public var state: ArticleState
        public var revision: Int
        /// The acting person's roles, implied ones included.
        public var roles: Set<Role>
        /// The acting person wrote the revision.
        public var isAuthor: Bool
        /// Claims of the revision that keep `fact_check` from passing.
        public var blockingClaims: [String]

        public init(
            verdict: Verdict, rule: WorkflowPolicy.Rule, origin: Origin, state: ArticleState, revision: Int, roles: Set<Role>,
            isAuthor: Bool, blockingClaims: [String]
        ) {
            self.verdict = verdict
            self.rule = rule
            self.origin = origin
            self.state = state
            self.revision = revision
            self.roles = roles
            self.isAuthor = isAuthor
            self.blockingClaims = blockingClaims
        }
    }

    /// Problems with the verdict's own input, known before anything is read: a waiver says why.
    public static func inputProblems(verdict: Verdict, note: String) -> [GalleyError.FieldProblem] {
        guard verdict == .waived, note.trimmingWhiteSpace().isEmpty else { return [] }
        return [.init(field: "note", message: "must give the reason for the waiver")]
    }

    /// Throws when the verdict may not be recorded: `forbidden` when the person's roles do not
    /// allow it, otherwise `invalidTransition` listing every unmet requirement.
    public static func check(_ facts: Facts) throws(GalleyError) {
        let checkpoint = facts.rule.checkpoint
        let rule = facts.rule
        if let refusal = roleRefusal(verdict: facts.verdict, rule: rule, origin: facts.origin, roles: facts.roles) { throw refusal }
        var unmet: [GalleyError.Unmet] = []
        if ![.draft, .inReview].contains(facts.state) {
            unmet.append(.init("state", "verdicts are recorded while the article is draft or in_review"))
        }
        if facts.verdict == .waived, !rule.waivableFor.contains(facts.origin) {
            unmet.append(
                .init(
                    "waiver",
                    "the workflow policy does not let \(checkpoint) be waived on \(facts.origin.rawValue)-origin articles; "
                        + "have it checked by " + names(rule.roles) + ", or an admin may allow the waiver in the policy"))
        }
        if facts.isAuthor, facts.verdict != .failed {
            unmet.append(.init("four_eyes", "you wrote revision \(facts.revision), so someone else must check it"))
        }
        if checkpoint == "fact_check", facts.verdict == .passed {
            unmet += facts.blockingClaims.map { .init("claims", $0) }
        }
        if !unmet.isEmpty {
            let action = facts.verdict == .waived ? "waive" : facts.verdict == .passed ? "pass" : "fail"
            throw .invalidTransition(action: "\(action) \(checkpoint) on", state: facts.state.rawValue, unmet: unmet)
        }
    }

    /// `forbidden` when people of `roles` may not record `verdict` on the rule's checkpoint at
    /// all, whatever the article's state: who, not when.
    public static func roleRefusal(verdict: Verdict, rule: WorkflowPolicy.Rule, origin: Origin, roles: Set<Role>) -> GalleyError? {
        let checkpoint = rule.checkpoint
        switch verdict {
        case .passed, .failed:
            guard roles.isDisjoint(with: rule.roles) else { return nil }
            return .forbidden(
                permission: "\(Permission.recordVerification.rawValue):\(checkpoint)", reason: "\(checkpoint) is recorded by " + names(rule.roles))
        case .waived:
            guard rule.waivableFor.contains(origin), roles.isDisjoint(with: rule.waivableBy) else { return nil }
            return .forbidden(
                permission: "\(Permission.recordVerification.rawValue):\(checkpoint):waive",
                reason: "under the workflow policy \(checkpoint) may be waived only by " + names(rule.waivableBy)
                    + "; ask one of them, or have it checked by " + names(rule.roles))
        }
    }

    /// Whether a person of `roles` is offered `verdict` on the rule's checkpoint of an article
    /// of `origin`: their roles allow it, and a waiver is one the policy allows for that origin.
    public static func offers(_ verdict: Verdict, rule: WorkflowPolicy.Rule, origin: Origin, roles: Set<Role>) -> Bool {
        roleRefusal(verdict: verdict, rule: rule, origin: origin, roles: roles) == nil
            && (verdict != .waived || rule.waivableFor.contains(origin))
    }

    private static func names(_ roles: [Role]) -> String {
        roles.isEmpty ? "nobody" : roles.map(\.rawValue).joined(separator: " or ")
    }
}
