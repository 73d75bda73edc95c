import Foundation
import GalleyCore
import Postgres

/// Where the review of one revision stands: each required checkpoint's status and what
/// still blocks approval. Shared by the article view and the approve transition, so both
/// always agree.
struct ReviewFacts {
    let statuses: [CheckpointStatus]
    let unmet: [GalleyError.Unmet]
    let required: [WorkflowPolicy.Rule]
    /// Claims that keep `fact_check` from passing.
    let blockingClaims: [String]

    /// The revision itself and its facts, read in one round trip.
    static func load(_ conn: PostgresConnection, currentRevisionOf article: Article) throws -> (Revision, ReviewFacts) {
        let number = article.currentRevision
        let (revision, policy, verdicts, claims) = try conn.read(
            RevisionStore.one(articleID: article.id, number: number), PolicyStore.current,
            ReviewStore.latestVerdicts(articleID: article.id, revision: number), ReviewStore.claims(articleID: article.id, revision: number))
        return (revision, ReviewFacts(article: article, revision: revision, policy: policy.policy, verdicts: verdicts, claims: claims))
    }

    /// Locks the article (bumping its version, see `ArticleStore.lockAndTouch`) and reads its
    /// current revision and that revision's facts, all in one round trip: once the lock is
    /// taken nobody can move the article to another revision before this transaction ends.
    static func lockAndLoad(_ conn: PostgresConnection, id: UUID, at now: Date) throws -> (Article, Revision, ReviewFacts) {
        let current = ArticleStore.currentRevision(of: id)
        let (article, revision, policy, verdicts, claims) = try conn.read(
            ArticleStore.touching(id, at: now), RevisionStore.current(articleID: id), PolicyStore.current,
            ReviewStore.latestVerdicts(articleID: id, revision: current), ReviewStore.claims(articleID: id, revision: current))
        return (article, revision, ReviewFacts(article: article, revision: revision, policy: policy.policy, verdicts: verdicts, claims: claims))
    }

    init(article: Article, revision: Revision, policy: WorkflowPolicy, verdicts: [RecordedVerdict], claims: [Claim]) {
        required = policy.requiredCheckpoints(section: article.section, origin: article.origin)
        statuses = CheckpointEvaluation.statuses(required: required, latestVerdicts: verdicts, contentHash: revision.content.contentHash)
        blockingClaims = Self.blocking(claims)
        unmet = CheckpointEvaluation.unmet(statuses: statuses, blockingClaims: blockingClaims)
    }

    /// Claims of a revision that keep `fact_check` from passing, as "text (status)".
    private static func blocking(_ claims: [Claim]) -> [String] {
        claims.filter { $0.status.blocksFactCheck }.map { "\"\($0.text.prefix(80))\" is \($0.status.rawValue)" }
    }
}

extension ArticleDetail {
    /// The article with its revisions and review state in one round trip: the reads name
    /// the revisions through the article's row, and a last read of its version tells whether
    /// the article changed while they ran (they are separate statements); then it is read
    /// again in two steps.
    static func load(_ conn: PostgresConnection, id: UUID) throws -> ArticleDetail {
        let current = ArticleStore.currentRevision(of: id)
        let (article, revisions, policy, verdicts, claims, versionAfter) = try conn.read(
            ArticleStore.one(id), RevisionStore.currentAndLive(articleID: id), PolicyStore.current,
            ReviewStore.latestVerdicts(articleID: id, revision: current), ReviewStore.claims(articleID: id, revision: current),
            ArticleStore.version(id))
        guard versionAfter == article.version,
            let currentRevision = revisions.first(where: { $0.number == article.currentRevision })
        else { return try load(conn, article: article) }
        let live = article.liveRevision.flatMap { number in revisions.first { $0.number == number } }
        let review = ReviewFacts(article: article, revision: currentRevision, policy: policy.policy, verdicts: verdicts, claims: claims)
        return ArticleDetail(article: article, current: currentRevision, live: live, checkpoints: review.statuses)
    }

    /// The article's revisions and review state, read in one round trip.
    static func load(_ conn: PostgresConnection, article: Article) throws -> ArticleDetail {
        let completion = completion(articleID: article.id, current: article.currentRevision, live: article.liveRevision)
        return try completion.finish(try conn.pipeline(completion.statements)[...], article)
    }

    /// The reads that make an article into its detail when its revision numbers are known
    /// before its row is read, so that a change can send them with its own statements.
    struct Completion {
        let statements: [SQL]
        let finish: (ArraySlice<PostgresRows>, Article) throws -> ArticleDetail
    }

    static func completion(articleID: UUID, current: Int, live: Int?) -> Completion {
        let revisions = RevisionStore.currentAndLive(articleID: articleID, current: current, live: live)
        let policy = PolicyStore.current
        let verdicts = ReviewStore.latestVerdicts(articleID: articleID, revision: current)
        let claims = ReviewStore.claims(articleID: articleID, revision: current)
        return Completion(statements: [revisions.sql, policy.sql, verdicts.sql, claims.sql]) { results, article in
            let first = results.startIndex
            let (currentRevision, liveRevision) = try revisions.decode(results[first])
            let review = ReviewFacts(
                article: article, revision: currentRevision, policy: try policy.decode(results[first + 1]).policy,
                verdicts: try verdicts.decode(results[first + 2]), claims: try claims.decode(results[first + 3]))
            return ArticleDetail(article: article, current: currentRevision, live: liveRevision, checkpoints: review.statuses)
        }
    }
}
