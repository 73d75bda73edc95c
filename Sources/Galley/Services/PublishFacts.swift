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
            let (article, revision, lastPublished, approverID) = try conn.read(
                after: prefix, ArticleStore.one(id), RevisionStore.current(articleID: id), PublicationStore.lastPublished(articleID: id),
                ReviewStore.approverOfCurrentRevision(articleID: id))
            return (article, PublishFacts(revision: revision, lastPublished: lastPublished, approverID: approverID))
        }
    }
}
