import Foundation
import GalleyCore
import Postgres

/// Every change of an article's state: check permission, gather facts, let `Workflow`
/// decide, write the change and its audit event, all in one transaction.
public struct TransitionService: Sendable {
    let env: GalleyEnvironment

    public struct Request: Sendable {
        public var action: ArticleAction
        public var reason: String?
        public var publishAt: Date?
        public var correctionNote: String?
        public var notice: String?
        public var expectedVersion: ExpectedVersion?

        public init(
            _ action: ArticleAction, reason: String? = nil, publishAt: Date? = nil, correctionNote: String? = nil,
            notice: String? = nil, expectedVersion: ExpectedVersion? = nil
        ) {
            self.action = action
            self.reason = reason
            self.publishAt = publishAt
            self.correctionNote = correctionNote
            self.notice = notice
            self.expectedVersion = expectedVersion
        }
    }

    /// Checks, decides and writes the transition: the facts the action needs are read
    /// (`ArticleReads`, which may answer them from memory and then writes only while they
    /// hold) → `Workflow` decides → the change is written with its audit event.
    public func perform(_ request: Request, on id: UUID, by caller: Caller) async throws -> ArticleDetail {
        try Self.validate(request)
        let now = env.now()
        return try await env.articleReads.change(id, by: caller, at: now, needs: Self.needs(request.action)) { facts, conn in
            try Self.plan(request, on: facts, conn: conn, caller: caller, at: now)
        }
    }

    private static func validate(_ request: Request) throws {
        let nul = [
            Validation.nulProblem("reason", request.reason), Validation.nulProblem("correction_note", request.correctionNote),
            Validation.nulProblem("notice", request.notice),
        ].compactMap { $0 }
        if !nul.isEmpty { throw GalleyError.validation(nul) }
        if request.action == .edit {
            throw GalleyError.validation([.init(field: "action", message: "edit is done by posting a new revision")])
        }
    }

    /// What each action decides on. Approve decides on the review; publish on the approval
    /// and what was published before, and so does schedule, which asks for what publishing
    /// will need; retract writes its notice as a numbered correction, in the transaction.
    private static func needs(_ action: ArticleAction) -> ArticleFacts.Needs {
        switch action {
        case .approve: .review
        case .publish, .schedule: .publication
        case .retract: .lockedArticle
        case .submit, .requestChanges, .unschedule, .spike, .restore, .unpublish, .edit: .article
        }
    }

    /// What publishing needs besides the article, read in one round trip; `publishFacts` lets
    /// a caller read it together with the article.
    struct PublishFacts {
        let revision: Revision
        let lastPublished: (revision: Int, contentHash: String)?
        let approverID: UUID?

        static func read(_ conn: PostgresConnection, articleID: UUID) throws -> PublishFacts {
            let (revision, lastPublished, approverID) = try conn.read(
                RevisionStore.current(articleID: articleID), PublicationStore.lastPublished(articleID: articleID),
                ReviewStore.approverOfCurrentRevision(articleID: articleID))
            return PublishFacts(revision: revision, lastPublished: lastPublished, approverID: approverID)
        }

        /// The article and its publish facts in one round trip, after the statements of
        /// `prefix` (a batch's savepoint), which go in the same pipeline.
        static func readWithArticle(_ conn: PostgresConnection, id: UUID, after prefix: [SQL]) throws -> (Article, PublishFacts) {
            let article = ArticleStore.one(id)
            let revision = RevisionStore.current(articleID: id)
            let lastPublished = PublicationStore.lastPublished(articleID: id)
            let approver = ReviewStore.approverOfCurrentRevision(articleID: id)
            let results = try conn.pipeline(prefix + [article.sql, revision.sql, lastPublished.sql, approver.sql])
            let first = prefix.count
            return (
                try article.decode(results[first]),
                PublishFacts(
                    revision: try revision.decode(results[first + 1]), lastPublished: try lastPublished.decode(results[first + 2]),
                    approverID: try approver.decode(results[first + 3]))
            )
        }
    }

    /// The transition on an already-read article, inside the caller's transaction; returns
    /// the article as changed. Throws `conflict` when someone else changed the article since
    /// it was read.
    @discardableResult
    static func apply(
        _ request: Request, to article: Article, conn: PostgresConnection, caller: Caller, at now: Date, publishFacts: PublishFacts? = nil
    ) throws -> Article {
        let facts = ArticleFacts(article: article, publication: publishFacts)
        return try ArticleStore.write(plan(request, on: facts, conn: conn, caller: caller, at: now), conn: conn, committing: false)
    }

    /// The change `Workflow` allows on `facts`, with the rows that go with it, or its
    /// refusal. `conn` is the transaction the facts were read in, nil when they were not
    /// (then only an action decided on the article alone can be planned); the facts an
    /// action needs and `facts` lacks are read in it.
    private static func plan(
        _ request: Request, on facts: ArticleFacts, conn: PostgresConnection?, caller: Caller, at now: Date
    ) throws -> PlannedChange {
        let article = facts.article
        try check(request, on: article, by: caller.principal)
        var decisionFacts = baseFacts(request, by: caller, at: now)
        var change = ArticleStore.Change(
            state: article.state, currentRevision: article.currentRevision, liveRevision: article.liveRevision,
            publishAt: nil, responsibleEditorID: nil, keepResponsibleEditor: true, search: nil)
        guard needs(request.action) != .article else {
            change.state = try Workflow.transition(from: article.state, action: request.action, facts: decisionFacts)
            if request.action == .unpublish { change.liveRevision = nil }
            return planned(request, of: article, change, caller: caller, at: now)
        }
        guard let conn else { throw GalleyError.unavailable("a transition's facts were not read in its transaction") }
        let principal = caller.principal
        var current: Revision?
        var lastPublished: (revision: Int, contentHash: String)?
        var approverID: UUID?
        switch request.action {
        case .approve:
            let (revision, review) = try facts.review ?? ReviewFacts.load(conn, currentRevisionOf: article)
            decisionFacts.unsatisfiedCheckpoints = review.unmet
            decisionFacts.actorAuthoredCurrentRevision = revision.authorID == principal.actorID
            decisionFacts.checkpointsWaivedByActor = review.statuses.filter { $0.status == .waived && $0.by == principal.name }.map(\.checkpoint)
            current = revision
        case .publish, .schedule:
            let known = try facts.publication ?? PublishFacts.read(conn, articleID: article.id)
            let revision = known.revision
            // Read apart from the article: if it moved on meanwhile, the change below would
            // lose the race anyway.
            guard revision.number == article.currentRevision else { throw ArticleStore.lostRace(article) }
            (lastPublished, approverID) = (known.lastPublished, known.approverID)
            decisionFacts.republishesChangedContent = lastPublished.map { $0.contentHash != revision.content.contentHash } ?? false
            current = revision
        default:
            break
        }
        change.state = try Workflow.transition(from: article.state, action: request.action, facts: decisionFacts)

        var details: JSONValue = [:]
        // Rows that go with the change, written in the same round trip before it.
        var records: [SQL] = []
        switch request.action {
        case .approve:
            guard let actorID = principal.actorID, let current else { throw GalleyError.conflict("the operator cannot approve") }
            records.append(
                ReviewStore.insertApproval(
                    articleID: article.id, revision: current.number, contentHash: current.content.contentHash, approverID: actorID, at: now))
            details = ["content_hash": .string(current.content.contentHash)]
        case .schedule:
            guard let current else { break }
            guard approverID != nil else { throw noApproval(.schedule, of: article, current) }
            change.publishAt = request.publishAt
            var object: [String: JSONValue] = [:]
            if let publishAt = request.publishAt { object["publish_at"] = .string(PostgresTimestamp.format(publishAt)) }
            if let note = request.correctionNote?.trimmingWhiteSpace(), !note.isEmpty {
                // Kept with the article for the scheduler, which publishes with it.
                change.scheduledCorrectionNote = note
                object["correction_note"] = .string(note)
            }
            details = .object(object)
        case .publish:
            guard let current else { break }
            guard let approverID else { throw noApproval(.publish, of: article, current) }
            var correctionNumber: Int?
            if decisionFacts.republishesChangedContent, let note = request.correctionNote {
                let number = try PublicationStore.insertCorrection(
                    conn, articleID: article.id, revision: current.number, kind: "correction", note: note,
                    actorID: principal.actorID, at: now)
                correctionNumber = number
                details = ["correction_number": .number(Double(number)), "correction_note": .string(note)]
            }
            records.append(
                PublicationStore.insertPublication(
                    articleID: article.id, revision: current.number, responsibleEditorID: approverID,
                    publishedBy: principal.name, correctionNumber: correctionNumber, at: now))
            change.liveRevision = current.number
            change.responsibleEditorID = approverID
            change.keepResponsibleEditor = false
            if case .object(var object) = details {
                object["content_hash"] = .string(current.content.contentHash)
                object["previous_live_revision"] = lastPublished.map { .number(Double($0.revision)) } ?? .null
                details = .object(object)
            }
        case .retract:
            change.liveRevision = nil
            if let notice = request.notice {
                let number = try PublicationStore.insertCorrection(
                    conn, articleID: article.id, revision: article.liveRevision ?? article.currentRevision, kind: "retraction",
                    note: notice, actorID: principal.actorID, at: now)
                details = ["notice": .string(notice), "correction_number": .number(Double(number))]
            }
        case .unpublish, .spike, .restore, .submit, .requestChanges, .unschedule, .edit:
            break  // decided on the article alone, above (edit is refused before)
        }
        return planned(request, of: article, change, details: details, records: records, caller: caller, at: now)
    }

    /// Publishing needs an approval of the current text; scheduling asks for it up front.
    private static func noApproval(_ action: ArticleAction, of article: Article, _ current: Revision) -> GalleyError {
        .invalidTransition(
            action: action.rawValue, state: article.state.rawValue,
            unmet: [.init("approval", "revision \(current.number) has no approval on its current text; approve it again")])
    }

    /// Refusals that come before any fact is read: a stale If-Match, a missing permission.
    private static func check(_ request: Request, on article: Article, by principal: Principal) throws {
        try request.expectedVersion?.check(article.version)
        try principal.require(Permissions.required(for: request.action), articleOrigin: article.origin)
    }

    private static func baseFacts(_ request: Request, by caller: Caller, at now: Date) -> TransitionFacts {
        TransitionFacts(
            now: now, reason: request.reason, publishAt: request.publishAt, correctionNote: request.correctionNote,
            notice: request.notice, actorIsService: caller.principal.kind == .service)
    }

    /// The change with its audit event and the rows that go with it.
    private static func planned(
        _ request: Request, of article: Article, _ change: ArticleStore.Change, details: JSONValue = [:], records: [SQL] = [],
        caller: Caller, at now: Date
    ) -> PlannedChange {
        var change = change
        if change.state == .scheduled { change.publishAt = request.publishAt }
        let event = AuditEntry(
            chain: AuditEntry.chain(article: article.id), principal: caller.principal, action: "article.\(request.action.rawValue)",
            articleID: article.id, revision: article.currentRevision, fromState: article.state.rawValue,
            toState: change.state.rawValue, reason: request.reason, details: details, requestID: caller.requestID, at: now)
        return PlannedChange(article: article, change: change, event: event, records: records)
    }
}
