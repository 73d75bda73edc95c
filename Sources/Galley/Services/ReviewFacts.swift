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

    /// The facts of `revision`, read in one round trip.
    static func load(_ conn: PostgresConnection, article: Article, revision: Revision) throws -> ReviewFacts {
        let (policy, verdicts, claims) = try conn.read(
            PolicyStore.current, ReviewStore.latestVerdicts(articleID: article.id, revision: revision.number),
            ReviewStore.claims(articleID: article.id, revision: revision.number))
        return ReviewFacts(article: article, revision: revision, policy: policy.policy, verdicts: verdicts, claims: claims)
    }

    /// The revision itself and its facts, read in one round trip.
    static func load(_ conn: PostgresConnection, currentRevisionOf article: Article) throws -> (Revision, ReviewFacts) {
        let number = article.currentRevision
        let (revision, policy, verdicts, claims) = try conn.read(
            RevisionStore.one(articleID: article.id, number: number), PolicyStore.current,
            ReviewStore.latestVerdicts(articleID: article.id, revision: number), ReviewStore.claims(articleID: article.id, revision: number))
        return (revision, ReviewFacts(article: article, revision: revision, policy: policy.policy, verdicts: verdicts, claims: claims))
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
        let current: SQL = "(SELECT current_revision FROM articles WHERE id = \(id))"
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
        let number = article.currentRevision
        let (revisions, policy, verdicts, claims) = try conn.read(
            RevisionStore.currentAndLive(of: article), PolicyStore.current,
            ReviewStore.latestVerdicts(articleID: article.id, revision: number), ReviewStore.claims(articleID: article.id, revision: number))
        let review = ReviewFacts(article: article, revision: revisions.current, policy: policy.policy, verdicts: verdicts, claims: claims)
        return ArticleDetail(article: article, current: revisions.current, live: revisions.live, checkpoints: review.statuses)
    }
}
