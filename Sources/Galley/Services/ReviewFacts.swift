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

    /// The article's detail, locked until the transaction ends (`ArticleDetailStore.lockedFacts`),
    /// and the review of its current revision, claims included, in one round trip: what a
    /// transition or a verdict decides on. A refresh of the queue waits for it
    /// (`QueueStore.holdingOffRefresh`, in the same round trip).
    static func lockAndLoad(_ conn: PostgresConnection, id: UUID, known: KnownRevisions) throws -> (DetailFacts, ReviewFacts) {
        let (facts, claims) = try conn.read(
            after: [QueueStore.holdingOffRefresh], ArticleDetailStore.lockedFacts(id, known: known),
            ReviewStore.claims(articleID: id, revision: ArticleStore.currentRevision(of: id)))
        let detail = facts.detail
        return (
            facts,
            ReviewFacts(article: detail.article, revision: detail.current, policy: facts.policy, verdicts: facts.verdicts, claims: claims)
        )
    }

    init(article: Article, revision: Revision, policy: WorkflowPolicy, verdicts: [RecordedVerdict], claims: [Claim]) {
        required = policy.requiredCheckpoints(section: article.section, origin: article.origin)
        statuses = Self.statuses(required: required, revision: revision, verdicts: verdicts)
        blockingClaims = Self.blocking(claims)
        unmet = CheckpointEvaluation.unmet(statuses: statuses, blockingClaims: blockingClaims)
    }

    /// The checkpoint summary alone (the article view; claims do not change it).
    static func statuses(article: Article, revision: Revision, policy: WorkflowPolicy, verdicts: [RecordedVerdict]) -> [CheckpointStatus] {
        statuses(required: policy.requiredCheckpoints(section: article.section, origin: article.origin), revision: revision, verdicts: verdicts)
    }

    private static func statuses(required: [WorkflowPolicy.Rule], revision: Revision, verdicts: [RecordedVerdict]) -> [CheckpointStatus] {
        CheckpointEvaluation.statuses(required: required, latestVerdicts: verdicts, contentHash: revision.content.contentHash)
    }

    /// Claims of a revision that keep `fact_check` from passing, as "text (status)".
    private static func blocking(_ claims: [Claim]) -> [String] {
        claims.filter { $0.status.blocksFactCheck }.map { "\"\($0.text.prefix(80))\" is \($0.status.rawValue)" }
    }
}

extension ArticleDetail {
    /// The article with its revisions and review state, in one statement (one snapshot, so
    /// nothing can change between its parts).
    static func load(_ conn: PostgresConnection, id: UUID) throws -> ArticleDetail {
        try conn.read(ArticleDetailStore.detail(id))
    }
}
