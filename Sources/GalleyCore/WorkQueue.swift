import Foundation

/// A step of an article's workflow that waits for someone: a required checkpoint of an article
/// in review, its approval once every checkpoint counts, the changes its author was asked for,
/// or publishing it once approved. Who may take it is decided here, when the step opens, so
/// that a queue page is a filter on stored steps rather than a policy evaluation per article.
public struct OpenStep: Sendable, Equatable {
    /// A checkpoint's name, or one of `WorkQueue.approval`, `.changes`, `.publish`.
    public var step: String
    /// Whoever holds one of these roles (implied ones included) may take it.
    public var roles: [Role]
    /// Service accounts never take it (checkpoints, approval).
    public var peopleOnly: Bool
    /// Only this actor may take it (the author asked for changes), nil for anyone allowed.
    public var onlyActor: String?
    /// Actors who may not take it (four-eyes): the revision's author, and for approval whoever
    /// waived a checkpoint that counts.
    public var barred: [String]
    /// Approval with `fact_check` required: refused while a claim of the revision blocks it
    /// (`ClaimStatus.blocksFactCheck`), which the queue checks when it reads.
    public var needsVerifiedClaims: Bool

    public init(
        step: String, roles: [Role], peopleOnly: Bool, onlyActor: String? = nil, barred: [String] = [], needsVerifiedClaims: Bool = false
    ) {
        self.step = step
        self.roles = roles
        self.peopleOnly = peopleOnly
        self.onlyActor = onlyActor
        self.barred = barred
        self.needsVerifiedClaims = needsVerifiedClaims
    }
}

/// Which steps of an article are open, from the same facts the transitions and verdicts
/// decide on: checkpoint statuses (`CheckpointEvaluation`) and the permission table.
public enum WorkQueue {
    public static let approval = "approval"
    public static let changes = "changes"
    public static let publish = "publish"

    /// The steps open on an article in `state` whose current revision is by `author`, with
    /// `checkpoints` the statuses of its required checkpoints on that revision. `changesFor`
    /// names the author asked for changes (a changes-requested draft).
    public static func openSteps(
        state: ArticleState, origin: Origin, checkpoints: [CheckpointStatus], author: String, changesFor: String? = nil
    ) -> [OpenStep] {
        switch state {
        case .inReview:
            let waiting = checkpoints.filter { $0.status == .pending || $0.status == .failed }
            if !waiting.isEmpty {
                return waiting.map { status in
                    OpenStep(
                        step: status.checkpoint, roles: status.roles.filter { grants($0, .recordVerification) }, peopleOnly: true,
                        barred: [author])
                }
            }
            let waivers = checkpoints.filter { $0.status == .waived }.compactMap(\.by)
            return [
                OpenStep(
                    step: approval, roles: roles(granting: [.approveArticle]), peopleOnly: true, barred: Array(Set([author] + waivers)).sorted(),
                    needsVerifiedClaims: checkpoints.contains { $0.checkpoint == "fact_check" })
            ]
        case .approved:
            return [OpenStep(step: publish, roles: roles(granting: [.publishArticle]), peopleOnly: false)]
        case .draft:
            guard let changesFor else { return [] }
            // An AI agent edits and submits AI-origin articles only (`Principal.require`).
            let editors = roles(granting: [.editArticle, .submitArticle]).filter { origin == .ai || $0 != .aiAgent }
            return [OpenStep(step: changes, roles: editors, peopleOnly: false, onlyActor: changesFor)]
        case .scheduled, .published, .unpublished, .retracted, .spiked:
            return []
        }
    }

    /// Which open assignments a transition ends: approving does the approval step; spiking
    /// an article drops all its work. Sending it back to draft keeps them, so the same people
    /// check the next revision.
    public static func assignmentsEnded(by action: ArticleAction) -> (steps: [String]?, reason: AssignmentEnd)? {
        switch action {
        case .approve: ([approval], .done)
        case .spike: (nil, .removed)
        case .edit, .submit, .requestChanges, .schedule, .unschedule, .publish, .unpublish, .retract, .restore: nil
        }
    }

    /// Why the step has nothing left to do on the current revision `revision`, given the
    /// statuses of the checkpoints the policy requires of the article: a checkpoint it no
    /// longer requires, or one passed or waived. Nil while the step may still be done
    /// (approval waits until the article is approved or spiked). Nobody is asked to take such
    /// a step, and an assignment on it ends, since no verdict would end it.
    public static func closed(_ step: String, checkpoints: [CheckpointStatus], revision: Int) -> String? {
        guard step != approval else { return nil }
        guard let status = checkpoints.first(where: { $0.checkpoint == step }) else {
            return "the workflow policy no longer requires \(step)"
        }
        guard status.status == .passed || status.status == .waived else { return nil }
        return "\(step) was \(status.status.rawValue) on revision \(revision)"
    }

    private static func grants(_ role: Role, _ permission: Permission) -> Bool {
        Permissions.granted(to: role).contains(permission)
    }

    private static func roles(granting permissions: [Permission]) -> [Role] {
        Role.allCases.filter { role in permissions.allSatisfy { grants(role, $0) } }.sorted()
    }
}

/// Why an assignment ended.
public enum AssignmentEnd: String, Sendable, Codable {
    /// Its step was done (a verdict recorded on the checkpoint, the article approved).
    case done
    /// Someone removed it, or the article was spiked.
    case removed
    /// The step was assigned to someone else.
    case replaced
}
