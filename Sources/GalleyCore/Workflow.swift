import Foundation

/// What the transition function needs to know beyond the state. The service layer gathers
/// these from the database; the function itself does no I/O.
public struct TransitionFacts: Sendable {
    public var now: Date
    public var reason: String?
    public var publishAt: Date?
    public var correctionNote: String?
    public var notice: String?
    /// For approve: required checkpoints not passed or waived on the current content hash.
    public var unsatisfiedCheckpoints: [GalleyError.Unmet]
    /// For approve: the acting actor wrote the current revision.
    public var actorAuthoredCurrentRevision: Bool
    /// For approve: the acting actor is a service account.
    public var actorIsService: Bool
    /// For approve: the checkpoints whose counting verdict is the acting actor's waiver.
    public var checkpointsWaivedByActor: [String]
    /// For publish and schedule: another revision was live before, so readers will see
    /// changed text.
    public var republishesChangedContent: Bool

    public init(
        now: Date, reason: String? = nil, publishAt: Date? = nil, correctionNote: String? = nil, notice: String? = nil,
        unsatisfiedCheckpoints: [GalleyError.Unmet] = [], actorAuthoredCurrentRevision: Bool = false,
        actorIsService: Bool = false, checkpointsWaivedByActor: [String] = [], republishesChangedContent: Bool = false
    ) {
        self.now = now
        self.reason = reason
        self.publishAt = publishAt
        self.correctionNote = correctionNote
        self.notice = notice
        self.unsatisfiedCheckpoints = unsatisfiedCheckpoints
        self.actorAuthoredCurrentRevision = actorAuthoredCurrentRevision
        self.actorIsService = actorIsService
        self.checkpointsWaivedByActor = checkpointsWaivedByActor
        self.republishesChangedContent = republishesChangedContent
    }
}

/// DESIGN.md's state machine as one pure function.
public enum Workflow {
    /// The states each action may start from, and where it leads.
    public static func rule(for action: ArticleAction) -> (from: Set<ArticleState>, to: ArticleState) {
        switch action {
        case .edit: ([.draft, .inReview, .approved, .scheduled, .published, .unpublished], .draft)
        case .submit: ([.draft], .inReview)
        case .requestChanges: ([.inReview], .draft)
        case .approve: ([.inReview], .approved)
        case .schedule: ([.approved], .scheduled)
        case .unschedule: ([.scheduled], .approved)
        case .publish: ([.approved, .scheduled], .published)
        case .unpublish: ([.published], .unpublished)
        case .retract: ([.published, .unpublished], .retracted)
        case .spike: ([.draft, .inReview, .approved, .scheduled], .spiked)
        case .restore: ([.spiked], .draft)
        }
    }

    /// The new state, or a refusal that lists every unmet requirement.
    public static func transition(
        from state: ArticleState, action: ArticleAction, facts: TransitionFacts
    ) throws(GalleyError) -> ArticleState {
        let (allowedFrom, target) = rule(for: action)
        var unmet: [GalleyError.Unmet] = []
        if !allowedFrom.contains(state) {
            let from = allowedFrom.map(\.rawValue).sorted().joined(separator: ", ")
            unmet.append(.init("state", "\(action.rawValue) is allowed only from \(from)"))
        }
        func require(_ value: String?, _ field: String, _ why: String) {
            if value?.trimmingWhiteSpace().isEmpty ?? true {
                unmet.append(.init(field, why))
            }
        }
        switch action {
        case .requestChanges:
            require(facts.reason, "reason", "say what must change")
        case .approve:
            unmet += facts.unsatisfiedCheckpoints
            if facts.actorIsService {
                unmet.append(.init("human_approver", "service accounts never approve; a person with the editor role must"))
            }
            if facts.actorAuthoredCurrentRevision {
                unmet.append(.init("four_eyes", "you wrote the current revision, so another editor must approve it"))
            }
            for checkpoint in facts.checkpointsWaivedByActor {
                unmet.append(.init("four_eyes", "you waived \(checkpoint) on the current revision, so another editor must approve it"))
            }
        case .schedule:
            if let publishAt = facts.publishAt {
                if publishAt <= facts.now {
                    unmet.append(.init("publish_at", "must be in the future"))
                }
            } else {
                unmet.append(.init("publish_at", "give the time to publish at"))
            }
            // What publishing at the due time will need is asked for now, while a person is here.
            if facts.republishesChangedContent {
                require(
                    facts.correctionNote, "correction_note",
                    "the text changed since it was last live, so publishing it will need a public correction note; give it now")
            }
        case .publish:
            if facts.republishesChangedContent {
                require(facts.correctionNote, "correction_note", "the text changed since it was last live; give a public correction note")
            }
        case .unpublish, .spike:
            require(facts.reason, "reason", "say why")
        case .retract:
            require(facts.reason, "reason", "say why")
            require(facts.notice, "notice", "give the public retraction notice")
        case .edit, .submit, .unschedule, .restore:
            break
        }
        if !unmet.isEmpty {
            throw .invalidTransition(action: action.rawValue, state: state.rawValue, unmet: unmet)
        }
        return target
    }
}
