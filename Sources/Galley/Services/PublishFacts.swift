import Foundation
import GalleyCore
import Postgres

extension TransitionService {
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
}
