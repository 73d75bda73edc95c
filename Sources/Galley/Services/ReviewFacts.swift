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

    static func load(_ conn: PostgresConnection, article: Article, revision: Revision) throws -> ReviewFacts {
        let required = try PolicyStore.current(conn).policy.requiredCheckpoints(section: article.section, origin: article.origin)
        let verdicts = try ReviewStore.latestVerdicts(conn, articleID: article.id, revision: revision.number)
        let statuses = CheckpointEvaluation.statuses(required: required, latestVerdicts: verdicts, contentHash: revision.content.contentHash)
        let blocking = try blockingClaims(conn, articleID: article.id, revision: revision.number)
        return ReviewFacts(statuses: statuses, unmet: CheckpointEvaluation.unmet(statuses: statuses, blockingClaims: blocking), required: required)
    }

    /// Claims of a revision that keep `fact_check` from passing, as "text (status)".
    static func blockingClaims(_ conn: PostgresConnection, articleID: UUID, revision: Int) throws -> [String] {
        try ReviewStore.claims(conn, articleID: articleID, revision: revision)
            .filter { $0.status.blocksFactCheck }
            .map { "\"\($0.text.prefix(80))\" is \($0.status.rawValue)" }
    }
}

extension ArticleDetail {
    static func load(_ conn: PostgresConnection, id: UUID) throws -> ArticleDetail {
        let article = try ArticleStore.fetch(conn, id: id)
        return try load(conn, article: article)
    }

    static func load(_ conn: PostgresConnection, article: Article) throws -> ArticleDetail {
        let current = try RevisionStore.fetch(conn, articleID: article.id, number: article.currentRevision)
        let live: Revision? =
            if let number = article.liveRevision {
                number == current.number ? current : try RevisionStore.fetch(conn, articleID: article.id, number: number)
            } else { nil }
        let review = try ReviewFacts.load(conn, article: article, revision: current)
        return ArticleDetail(article: article, current: current, live: live, checkpoints: review.statuses)
    }
}
