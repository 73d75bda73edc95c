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

    /// `perform` for the bearer of a token this server has met, who is authenticated on the
    /// way. When the server holds the article's detail, an action decided on the article
    /// alone is decided for the token's actor and written in one statement that also checks
    /// the token is still live and that actor's: one round trip, and a revoked token is
    /// refused at once. Otherwise the token is checked first, then `perform`. `authenticated`
    /// learns the caller as soon as the token is known good, before any refusal of the action.
    public func perform(
        _ request: Request, on id: UUID, as met: MetToken, requestID: String?, authenticated: (Caller) -> Void
    ) async throws -> ArticleDetail {
        let cached = env.caches.details.value(for: id)
        if let cached {
            let caller = Caller(principal: met.actor.principal, requestID: requestID)
            if let answer = try await writeOnCachedDetail(request, cached: cached, by: caller, at: env.now(), token: met) {
                authenticated(caller)
                return answer
            }
        }
        let caller = Caller(principal: try await ActorService(env: env).authenticate(token: met.token).principal, requestID: requestID)
        authenticated(caller)
        // Once tried on the cached detail, trying again would only cost a round trip more.
        return try await perform(request, on: id, by: caller, writingOnCachedDetail: cached == nil)
    }

    public func perform(_ request: Request, on id: UUID, by caller: Caller) async throws -> ArticleDetail {
        try await perform(request, on: id, by: caller, writingOnCachedDetail: true)
    }

    private func perform(_ request: Request, on id: UUID, by caller: Caller, writingOnCachedDetail: Bool) async throws -> ArticleDetail {
        let nul = [
            Validation.nulProblem("reason", request.reason), Validation.nulProblem("correction_note", request.correctionNote),
            Validation.nulProblem("notice", request.notice),
        ].compactMap { $0 }
        if !nul.isEmpty { throw GalleyError.validation(nul) }
        if request.action == .edit {
            throw GalleyError.validation([.init(field: "action", message: "edit is done by posting a new revision")])
        }
        let now = env.now()
        let cached = env.caches.details.value(for: id)
        if writingOnCachedDetail, let cached,
            let answer = try await writeOnCachedDetail(request, cached: cached, by: caller, at: now, token: nil)
        {
            return answer
        }
        let known = KnownRevisions(cached?.detail)
        let (answer, stamped) = try await env.transaction { conn -> (ArticleDetail, StampedDetail?) in
            // One round trip reads the article, locked, and whatever else the action decides
            // on; the next one writes and commits (the lock means the writes cannot lose a
            // race). The answer is the detail read (or cached) with the article as written.
            let read = ArticleDetailStore.lockedFacts(id, known: known)
            let before: StampedDetail
            let article: Article
            var publishFacts: PublishFacts?
            var reviewFacts: (Revision, ReviewFacts)?
            switch request.action {
            case .approve:
                let (detailFacts, review) = try ReviewFacts.lockAndLoad(conn, id: id, known: known)
                (before, article) = Self.stamped(detailFacts)
                reviewFacts = (detailFacts.detail.current, review)
            case .publish, .schedule:
                let (locked, lastPublished, approverID) = try conn.read(
                    Self.lockedDetail(id, cached: cached, read: read), PublicationStore.lastPublished(articleID: id), ReviewStore.approverOfCurrentRevision(articleID: id))
                (before, article) = try locked ?? Self.stamped(conn.read(read))
                publishFacts = PublishFacts(revision: before.detail.current, lastPublished: lastPublished, approverID: approverID)
            default:
                let locked: (StampedDetail, Article)? = try conn.read(Self.lockedDetail(id, cached: cached, read: read))
                (before, article) = try locked ?? Self.stamped(conn.read(read))
            }
            let changed = try Self.change(
                request, of: article, conn: conn, caller: caller, at: now, publishFacts: publishFacts,
                reviewFacts: reviewFacts, committing: true)
            guard let after = before.after(changed) else { return (try conn.read(ArticleDetailStore.detail(id)), nil) }
            return (after.detail, after)
        }
        if let stamped { env.caches.details.store(stamped, for: id, cost: stamped.cost) }
        return answer
    }

    /// Actions decided on the article alone, whose only write is the change with its event.
    /// (Approve and publish decide on more, and so does schedule, which asks for what
    /// publishing will need; retract writes its notice as a numbered correction first.)
    private static let decidedOnTheArticleAlone: Set<ArticleAction> = [.submit, .requestChanges, .unschedule, .spike, .restore, .unpublish]

    /// An action decided on the article alone, decided on the cached detail and written in one
    /// statement that applies only while the article's version and the policy's are still
    /// the detail's stamp: one round trip, no lock taken beforehand, no transaction to open.
    /// Nil, with nothing written, when the action needs more, the cache is stale, or the
    /// cached article refuses it (a stale cache must not refuse either): the caller then
    /// decides on what it reads, locked. With `token`, the statement also applies only
    /// while that token is live, and nil may mean it is not.
    private func writeOnCachedDetail(
        _ request: Request, cached: StampedDetail, by caller: Caller, at now: Date, token: MetToken?
    ) async throws -> ArticleDetail? {
        guard Self.decidedOnTheArticleAlone.contains(request.action) else { return nil }
        let article = cached.detail.article
        var condition: SQL = "\(PolicyStore.newestVersion) = \(cached.stamp.policyVersion)"
        if let token { condition.append(" AND EXISTS (SELECT 1 \(ActorStore.liveToken(token.hash, at: now)) AND a.id = \(token.actor.id))") }
        guard let statement = try? Self.plainWrite(request, of: article, caller: caller, at: now, onlyIf: condition) else { return nil }
        let read = StoreRead(sql: statement) { try $0.single.map(ArticleStore.article) }
        let written: Article?
        do {
            written = try await env.query(read)
        } catch let error as PostgresError where error.isTransient {
            return nil  // a deadlock or the like: the locked path retries
        }
        guard let written else { return nil }
        await env.wakeUp.committed()
        guard let after = cached.after(written) else { return try await env.query(ArticleDetailStore.detail(written.id)) }
        env.caches.details.store(after, for: written.id, cost: after.cost)
        return after.detail
    }

    /// The first read of a transition that decides on the article (approve reads more): its
    /// row, locked, and the detail it has now. With a cached detail only the row and its stamp
    /// are read (a few index probes), giving the cached detail while the stamp is still the
    /// article's and nil when it is not (the caller then reads `read`, the row already
    /// locked); without one, `read` itself.
    private static func lockedDetail(
        _ id: UUID, cached: StampedDetail?, read: StoreRead<DetailFacts>
    ) -> StoreRead<(StampedDetail, Article)?> {
        guard let cached else { return read.map { stamped($0) } }
        return ArticleDetailStore.lockedStamp(id).map { $0.stamp == cached.stamp ? (cached, $0.article) : nil }
    }

    private static func stamped(_ facts: DetailFacts) -> (StampedDetail, Article) {
        (facts.stamped, facts.detail.article)
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
    ///
    /// Round trips: one for the facts `approve` and `publish` need (read together), one for
    /// the writes (the state change and its audit event are one statement, sent together
    /// with any approval, publication or correction row).
    @discardableResult
    static func apply(
        _ request: Request, to article: Article, conn: PostgresConnection, caller: Caller, at now: Date, publishFacts: PublishFacts? = nil
    ) throws -> Article {
        try change(request, of: article, conn: conn, caller: caller, at: now, publishFacts: publishFacts, committing: false)
    }

    /// `apply`; when `committing` (the transaction is the transition's own, and `article` was
    /// read locked) the writes are followed in their round trip by `COMMIT`.
    private static func change(
        _ request: Request, of article: Article, conn: PostgresConnection, caller: Caller, at now: Date,
        publishFacts: PublishFacts? = nil, reviewFacts: (Revision, ReviewFacts)? = nil, committing: Bool
    ) throws -> Article {
        if decidedOnTheArticleAlone.contains(request.action) {
            let statement = try plainWrite(request, of: article, caller: caller, at: now, onlyIf: nil)
            let results = try committing ? conn.pipelineCommitting([statement]) : conn.pipeline([statement])
            return try ArticleStore.changed(results[0], from: article)
        }
        try check(request, on: article, by: caller.principal)
        let principal = caller.principal
        var facts = baseFacts(request, by: caller, at: now)
        var current: Revision?
        var lastPublished: (revision: Int, contentHash: String)?
        var approverID: UUID?
        switch request.action {
        case .approve:
            let (revision, review) = try reviewFacts ?? ReviewFacts.load(conn, currentRevisionOf: article)
            facts.unsatisfiedCheckpoints = review.unmet
            facts.actorAuthoredCurrentRevision = revision.authorID == principal.actorID
            facts.checkpointsWaivedByActor = review.statuses.filter { $0.status == .waived && $0.by == principal.name }.map(\.checkpoint)
            current = revision
        case .publish, .schedule:
            let known = try publishFacts ?? PublishFacts.read(conn, articleID: article.id)
            let revision = known.revision
            // Read apart from the article: if it moved on meanwhile, the change below would
            // lose the race anyway.
            guard revision.number == article.currentRevision else { throw ArticleStore.lostRace(article) }
            (lastPublished, approverID) = (known.lastPublished, known.approverID)
            facts.republishesChangedContent = lastPublished.map { $0.contentHash != revision.content.contentHash } ?? false
            current = revision
        default:
            break
        }
        let newState = try Workflow.transition(from: article.state, action: request.action, facts: facts)

        var change = ArticleStore.Change(
            state: newState, currentRevision: article.currentRevision, liveRevision: article.liveRevision,
            publishAt: nil, responsibleEditorID: nil, keepResponsibleEditor: true, search: nil)
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
            if let publishAt = request.publishAt { object["publish_at"] = .string(RFC3339.format(publishAt)) }
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
            if facts.republishesChangedContent, let note = request.correctionNote {
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
        let statements = records + [write(request, of: article, change, details: details, caller: caller, at: now, onlyIf: nil)]
        let results = try committing ? conn.pipelineCommitting(statements) : conn.pipeline(statements)
        return try ArticleStore.changed(results[records.count], from: article)
    }

    /// The write of an action decided on the article alone (`decidedOnTheArticleAlone`), or its
    /// refusal. With `condition` the write applies only while it holds.
    private static func plainWrite(_ request: Request, of article: Article, caller: Caller, at now: Date, onlyIf condition: SQL?) throws -> SQL {
        try check(request, on: article, by: caller.principal)
        let newState = try Workflow.transition(from: article.state, action: request.action, facts: baseFacts(request, by: caller, at: now))
        var change = ArticleStore.Change(
            state: newState, currentRevision: article.currentRevision, liveRevision: article.liveRevision,
            publishAt: nil, responsibleEditorID: nil, keepResponsibleEditor: true, search: nil)
        if request.action == .unpublish { change.liveRevision = nil }
        return write(request, of: article, change, details: [:], caller: caller, at: now, onlyIf: condition)
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

    /// The change with its audit event, as one statement (`ArticleStore.updateStatement`).
    private static func write(
        _ request: Request, of article: Article, _ change: ArticleStore.Change, details: JSONValue, caller: Caller, at now: Date,
        onlyIf condition: SQL?
    ) -> SQL {
        var change = change
        if change.state == .scheduled { change.publishAt = request.publishAt }
        let event = AuditEntry(
            chain: AuditEntry.chain(article: article.id), principal: caller.principal, action: "article.\(request.action.rawValue)",
            articleID: article.id, revision: article.currentRevision, fromState: article.state.rawValue,
            toState: change.state.rawValue, reason: request.reason, details: details, requestID: caller.requestID, at: now)
        return ArticleStore.updateStatement(article, change, at: now, event: event, onlyIf: condition)
    }
}
