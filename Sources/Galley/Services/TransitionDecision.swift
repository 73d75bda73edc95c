import Foundation
import GalleyCore
import Postgres

extension TransitionService {
    /// One transition decided by `Workflow` on the facts its action needs, planned as the
    /// article's change, its audit event and the rows that go with it.
    struct Decision {
        let request: Request
        let article: Article
        /// The detail the article was read with; nil only for publishing (`apply`).
        let detail: ArticleDetail?
        let caller: Caller
        let now: Date

        init(request: Request, article: Article, detail: ArticleDetail?, caller: Caller, at now: Date) {
            self.request = request
            self.article = article
            self.detail = detail
            self.caller = caller
            self.now = now
        }

        private var principal: Principal { caller.principal }

        private var requestFacts: TransitionFacts {
            TransitionFacts(
                now: now, reason: request.reason, publishAt: request.publishAt, correctionNote: request.correctionNote,
                notice: request.notice, actorIsService: principal.kind == .service)
        }

        private func change(to state: ArticleState) -> ArticleStore.Change {
            ArticleStore.Change(
                state: state, currentRevision: article.currentRevision, liveRevision: article.liveRevision,
                publishAt: nil, responsibleEditorID: nil, keepResponsibleEditor: true, search: nil)
        }

        /// Submit, request changes, unschedule, spike, restore, unpublish: the only write is
        /// the change with its event.
        func onTheArticleAlone() throws -> PlannedChange {
            var change = change(to: try Workflow.transition(from: article.state, action: request.action, facts: requestFacts))
            if request.action == .unpublish { change.liveRevision = nil }
            return try planned(change)
        }

        func approve(review: (revision: Revision, facts: ReviewFacts)) throws -> PlannedChange {
            let (revision, review) = review
            var facts = requestFacts
            facts.unsatisfiedCheckpoints = review.unmet
            facts.actorAuthoredCurrentRevision = revision.authorID == principal.actorID
            facts.checkpointsWaivedByActor = review.statuses.filter { $0.status == .waived && $0.by == principal.name }.map(\.checkpoint)
            let state = try Workflow.transition(from: article.state, action: .approve, facts: facts)
            guard let actorID = principal.actorID else { throw GalleyError.conflict("the operator cannot approve") }
            let approval = ReviewStore.insertApproval(
                articleID: article.id, revision: revision.number, contentHash: revision.content.contentHash, approverID: actorID, at: now)
            return try planned(change(to: state), details: ["content_hash": .string(revision.content.contentHash)], records: [approval])
        }

        func schedule(_ publication: PublishFacts) throws -> PlannedChange {
            let state = try Workflow.transition(from: article.state, action: .schedule, facts: try publishingFacts(publication))
            guard publication.approverID != nil else { throw noApproval(of: publication.revision) }
            var change = change(to: state)
            var details: [String: JSONValue] = [:]
            if let publishAt = request.publishAt { details["publish_at"] = .string(RFC3339.format(publishAt)) }
            if let note = request.correctionNote?.trimmingWhiteSpace(), !note.isEmpty {
                // Kept with the article for the scheduler, which publishes with it.
                change.scheduledCorrectionNote = note
                details["correction_note"] = .string(note)
            }
            return try planned(change, details: .object(details))
        }

        func publish(_ publication: PublishFacts, conn: PostgresConnection) throws -> PlannedChange {
            let facts = try publishingFacts(publication)
            let state = try Workflow.transition(from: article.state, action: .publish, facts: facts)
            let current = publication.revision
            guard let approverID = publication.approverID else { throw noApproval(of: current) }
            var details: [String: JSONValue] = [:]
            var correctionNumber: Int?
            if facts.republishesChangedContent, let note = request.correctionNote {
                let number = try PublicationStore.insertCorrection(
                    conn, articleID: article.id, revision: current.number, kind: "correction", note: note, actorID: principal.actorID, at: now)
                correctionNumber = number
                details = ["correction_number": .number(Double(number)), "correction_note": .string(note)]
            }
            details["content_hash"] = .string(current.content.contentHash)
            details["previous_live_revision"] = publication.lastPublished.map { .number(Double($0.revision)) } ?? .null
            var change = change(to: state)
            change.liveRevision = current.number
            change.responsibleEditorID = approverID
            change.keepResponsibleEditor = false
            let row = PublicationStore.insertPublication(
                articleID: article.id, revision: current.number, responsibleEditorID: approverID,
                publishedBy: principal.name, correctionNumber: correctionNumber, at: now)
            return try planned(change, details: .object(details), records: [row])
        }

        /// A retraction's notice is written first, as a numbered correction.
        func retract(conn: PostgresConnection) throws -> PlannedChange {
            var change = change(to: try Workflow.transition(from: article.state, action: .retract, facts: requestFacts))
            change.liveRevision = nil
            guard let notice = request.notice else { return try planned(change) }
            let number = try PublicationStore.insertCorrection(
                conn, articleID: article.id, revision: article.liveRevision ?? article.currentRevision, kind: "retraction",
                note: notice, actorID: principal.actorID, at: now)
            return try planned(change, details: ["notice": .string(notice), "correction_number": .number(Double(number))])
        }

        /// What publishing and scheduling decide on besides the request. The revision is read
        /// apart from the article: if the article moved on meanwhile, its change would lose
        /// the race anyway.
        private func publishingFacts(_ publication: PublishFacts) throws -> TransitionFacts {
            let revision = publication.revision
            guard revision.number == article.currentRevision else { throw ArticleStore.lostRace(article) }
            var facts = requestFacts
            facts.republishesChangedContent = publication.lastPublished.map { $0.contentHash != revision.content.contentHash } ?? false
            return facts
        }

        /// Publishing needs an approval of the current text; scheduling asks for it up front.
        private func noApproval(of current: Revision) -> GalleyError {
            .invalidTransition(
                action: request.action.rawValue, state: article.state.rawValue,
                unmet: [.init("approval", "revision \(current.number) has no approval on its current text; approve it again")])
        }

        /// The change with its audit event, the rows that go with it, the article's open steps
        /// as they are after it and the assignments it ends.
        private func planned(_ change: ArticleStore.Change, details: JSONValue = [:], records: [SQL] = []) throws -> PlannedChange {
            var change = change
            if change.state == .scheduled { change.publishAt = request.publishAt }
            let event = AuditEntry(
                chain: AuditEntry.chain(article: article.id), principal: principal, action: "article.\(request.action.rawValue)",
                articleID: article.id, revision: article.currentRevision, fromState: article.state.rawValue,
                toState: change.state.rawValue, reason: request.reason, details: details, requestID: caller.requestID, at: now)
            let ended = WorkQueue.assignmentsEnded(by: request.action)
            let endings = ended.map { [AssignmentStore.ending($0.steps, as: $0.reason, from: "a", at: now)] } ?? []
            return PlannedChange(
                article: article, change: change, event: event, records: records, alongside: endings + (try openSteps(in: change.state)),
                endsAssignments: ended)
        }

        /// The statements that make the article's open steps those of `state`. Restoring,
        /// unpublishing and retracting start from states without open steps, so they write none.
        private func openSteps(in state: ArticleState) throws -> [SQL] {
            switch request.action {
            case .restore, .unpublish, .retract: return []
            case .submit, .requestChanges, .approve, .schedule, .unschedule, .publish, .spike, .edit:
                // Review steps are decided on the detail's checkpoints and author; the others
                // (publish, none) on the state alone, so publishing needs no detail.
                if detail == nil, [.submit, .requestChanges].contains(request.action) {
                    throw GalleyError.unavailable("a transition's detail was not read with it")
                }
                let author = detail?.current.author ?? ""
                let steps = WorkQueue.openSteps(
                    state: state, origin: article.origin, checkpoints: detail?.checkpoints ?? [], author: author,
                    changesFor: request.action == .requestChanges ? author : nil)
                return QueueStore.settingSteps(steps, from: "a", at: now)
            }
        }
    }
}
