import Foundation
import GalleyCore
import Postgres

/// The one door to an article's facts and to writing its changes where speed matters: it
/// owns the detail cache, the version stamps a cached detail is checked against, the
/// revisions already held (for details and list pages), the shared session of quick reads
/// and the conditional write. Whether an answer came from memory is its business alone;
/// what it answers is always the article as stored. It also keeps the promise of a pending
/// `Credential`: it confirms the caller's token in the statement it sends anyway, or just
/// before, and refuses nothing (not even a missing article) to a caller whose token is not
/// confirmed.
struct ArticleReads: Sendable {
    let env: GalleyEnvironment

    private var details: BoundedCache<UUID, StampedDetail> { env.caches.details }

    /// The article's detail as stored now, once `authorize` lets the caller read it. With the
    /// detail held, one quick statement checks the article's and the policy's versions (and
    /// a pending token); otherwise the detail is read, without the revisions already held.
    func detail(_ id: UUID, for caller: Caller, authorize: (Caller) throws -> Void) async throws -> ArticleDetail {
        guard let cached = details.value(for: id) else {
            try await env.confirm(caller.credential)
            try authorize(caller)
            return try await fresh(id)
        }
        let pending = caller.isPending ? caller.credential : nil
        let (live, stamp) = try await env.quickRead(
            confirmingCredentialItself: ArticleDetailStore.stamp(
                id, confirming: pending?.token, at: env.now()))
        if let pending { try env.settle(pending, live: live) }
        try authorize(caller)
        guard let stamp else { throw GalleyError.notFound(kind: "article", id: id.lowercasedString) }
        return stamp == cached.stamp ? cached.detail : try await fresh(id)
    }

    /// The detail as stored now, kept for the next read. One statement, on the pool's
    /// non-blocking path.
    private func fresh(_ id: UUID) async throws -> ArticleDetail {
        let read = try await env.query(ArticleDetailStore.stampedDetail(id, known: knownRevisions(of: id)))
        details.store(read, for: id, cost: read.cost)
        return read.detail
    }

    /// The current revision of each article. Revisions never change, so the cached ones are
    /// used as they are (read in another statement than the articles: a revision's number
    /// names the same text in every snapshot) and only the others are read.
    func currentRevisions(of articles: [Article]) async throws -> [UUID: Revision] {
        let cache = env.caches.revisions
        var found: [UUID: Revision] = [:]
        var missing: [Article] = []
        for article in articles {
            if let revision = cache.value(for: RevisionKey(articleID: article.id, number: article.currentRevision)) {
                found[article.id] = revision
            } else {
                missing.append(article)
            }
        }
        guard !missing.isEmpty else { return found }
        for revision in try await env.query(RevisionStore.current(of: missing)).values {
            cache.store(revision, for: RevisionKey(articleID: revision.articleID, number: revision.number), cost: revision.approximateBytes)
            found[revision.articleID] = revision
        }
        return found
    }

    /// The revisions of the article's held detail, stale or not (revisions never change),
    /// which a read of its detail need not fetch again.
    func knownRevisions(of id: UUID) -> KnownRevisions {
        KnownRevisions(details.value(for: id)?.detail)
    }

    /// Keeps a detail just written, as read in the transaction that wrote it.
    func keep(_ stamped: StampedDetail, for id: UUID) {
        details.store(stamped, for: id, cost: stamped.cost)
    }

    /// Changes the article as `decide` plans it on the facts `needs` names, and answers its
    /// detail after the change. The plan is written with its audit event while the facts
    /// hold: either in one conditional statement on the held detail (only for a plan
    /// decided on the article alone, and only if it holds as planned; a stale detail or a
    /// pending token neither refuses nor writes), or in a transaction that reads the facts
    /// locked, decides and writes in the round trip that commits.
    func change(
        _ id: UUID, by caller: Caller, at now: Date, needs: ArticleFacts.Needs,
        decide: @escaping @Sendable (ArticleFacts, PostgresConnection?) throws -> PlannedChange
    ) async throws -> ArticleDetail {
        let cached = details.value(for: id)
        if needs == .article, let cached, let written = try await writeOnHeldDetail(cached, by: caller, at: now, decide: decide) {
            return written
        }
        // Refusals and locked reads are for confirmed callers only.
        try await env.confirm(caller.credential)
        let known = KnownRevisions(cached?.detail)
        let (answer, stamped) = try await env.transaction { conn -> (ArticleDetail, StampedDetail?) in
            let (before, facts) = try Self.lockedFacts(id, needs: needs, cached: cached, known: known, conn: conn)
            let planned = try decide(facts, conn)
            let changed = try ArticleStore.write(planned, conn: conn, committing: true)
            guard let after = before.after(changed, ending: planned.endsAssignments) else {
                return (try conn.read(ArticleDetailStore.detail(id)), nil)
            }
            return (after.detail, after)
        }
        if let stamped { keep(stamped, for: id) }
        return answer
    }

    /// The plan decided on the held detail's article, written in one statement that applies
    /// only while the article's and the policy's versions are still the detail's stamp (and,
    /// for a pending token, while it is live): one round trip, no lock, no transaction. Nil,
    /// with nothing written, when the held article refuses the plan, the detail is stale,
    /// the token is not live, or the statement met a transient failure.
    private func writeOnHeldDetail(
        _ cached: StampedDetail, by caller: Caller, at now: Date,
        decide: (ArticleFacts, PostgresConnection?) throws -> PlannedChange
    ) async throws -> ArticleDetail? {
        guard let planned = try? decide(ArticleFacts(article: cached.detail.article, detail: cached.detail), nil), planned.records.isEmpty
        else { return nil }
        let pending = caller.isPending ? caller.credential : nil
        let condition = ArticleDetailStore.stillStamped(cached.stamp, confirming: pending?.token, at: now)
        let written: Article?
        do {
            written = try await env.query(confirmingCredentialItself: ArticleStore.conditionalWrite(planned, onlyIf: condition))
        } catch let error as PostgresError where error.isTransient {
            return nil  // the locked path retries
        }
        guard let written else { return nil }
        try pending?.settle(live: true)
        await env.wakeUp.committed()
        guard let after = cached.after(written, ending: planned.endsAssignments) else {
            return try await env.query(ArticleDetailStore.detail(written.id))
        }
        keep(after, for: written.id)
        return after.detail
    }

    /// The facts `needs` names, the article's row locked until the transaction ends, with
    /// the detail they stand for. With a held detail only the row and its stamp are read,
    /// and the detail itself only when the stamp moved on. A refresh of every article's queue
    /// steps waits for the transaction (`QueueStore.holdingOffRefresh`, sent with the first
    /// read), so the steps it writes are never decided on a policy replaced meanwhile.
    private static func lockedFacts(
        _ id: UUID, needs: ArticleFacts.Needs, cached: StampedDetail?, known: KnownRevisions, conn: PostgresConnection
    ) throws -> (StampedDetail, ArticleFacts) {
        let read = ArticleDetailStore.lockedFacts(id, known: known)
        switch needs {
        case .review:
            let (detailFacts, review) = try ReviewFacts.lockAndLoad(conn, id: id, known: known)
            let detail = detailFacts.detail
            return (detailFacts.stamped, ArticleFacts(article: detail.article, detail: detail, review: (detail.current, review)))
        case .publication:
            let (locked, lastPublished, approverID) = try conn.read(
                after: [QueueStore.holdingOffRefresh], lockedDetail(id, cached: cached, read: read), PublicationStore.lastPublished(articleID: id),
                ReviewStore.approverOfCurrentRevision(articleID: id))
            let (before, article) = try locked ?? stamped(conn.read(read))
            let publication = TransitionService.PublishFacts(
                revision: before.detail.current, lastPublished: lastPublished, approverID: approverID)
            return (before, ArticleFacts(article: article, detail: before.detail, publication: publication))
        case .article, .lockedArticle:
            let locked = try conn.read(after: [QueueStore.holdingOffRefresh], lockedDetail(id, cached: cached, read: read))
            let (before, article) = try locked ?? stamped(conn.read(read))
            return (before, ArticleFacts(article: article, detail: before.detail))
        }
    }

    /// The article's row, locked, and the detail it has now: with a held detail only the row
    /// and its stamp (the held detail while the stamp is still its own, nil when it is not);
    /// without one, `read` itself.
    private static func lockedDetail(
        _ id: UUID, cached: StampedDetail?, read: StoreRead<DetailFacts>
    ) -> StoreRead<(StampedDetail, Article)?> {
        guard let cached else { return read.map { stamped($0) } }
        return ArticleDetailStore.lockedStamp(id).map { $0.stamp == cached.stamp ? (cached, $0.article) : nil }
    }

    private static func stamped(_ facts: DetailFacts) -> (StampedDetail, Article) {
        (facts.stamped, facts.detail.article)
    }
}

extension GalleyEnvironment {
    /// The door to articles' facts and changes (`ArticleReads`).
    var articleReads: ArticleReads { ArticleReads(env: self) }
}

/// What a transition decides on: the article, and what its action needs besides.
struct ArticleFacts {
    let article: Article
    /// The article's detail the facts were read with, when they were (the queue's steps on
    /// submit and request changes are decided on its checkpoints and current revision).
    var detail: ArticleDetail? = nil
    var review: (revision: Revision, facts: ReviewFacts)? = nil
    var publication: TransitionService.PublishFacts? = nil

    /// What a decision needs: the article alone (which a held detail can answer), the
    /// article locked (its writes need the transaction), or the review or publication facts
    /// besides.
    enum Needs: Sendable {
        case article, lockedArticle, review, publication
    }
}

/// A change of an article planned on what it was read as: the rows that go with it, then
/// the change itself with its audit event, written together (`ArticleStore.write`).
struct PlannedChange: Sendable {
    let article: Article
    let change: ArticleStore.Change
    let event: AuditEntry
    var records: [SQL] = []
    /// Statements written with the change, in its statement, only if the change is written
    /// (`ArticleStore.updateStatement`): the article's open steps and the assignments it ends.
    var alongside: [SQL] = []
    /// The open assignments the change ends (`WorkQueue.assignmentsEnded`).
    var endsAssignments: (steps: [String]?, reason: AssignmentEnd)? = nil
}
