import Foundation
import GalleyCore
import Postgres

/// SQL for publications, corrections and publish batches.
enum PublicationStore {
    /// The revision that was live most recently, if the article was ever published.
    static func lastPublished(articleID: UUID) -> StoreRead<(revision: Int, contentHash: String)?> {
        StoreRead(
            sql: """
                SELECT p.revision, r.content_hash FROM publications p
                JOIN revisions r ON r.article_id = p.article_id AND r.number = p.revision
                WHERE p.article_id = \(articleID) ORDER BY p.published_at DESC LIMIT 1
                """
        ) { rows in
            guard let row = rows.single else { return nil }
            return (try row.decode("revision", as: Int.self), try row.decode("content_hash", as: String.self))
        }
    }

    static func insertPublication(
        articleID: UUID, revision: Int, responsibleEditorID: UUID, publishedBy: String, correctionNumber: Int?, at: Date
    ) -> SQL {
        """
        INSERT INTO publications (article_id, revision, responsible_editor_id, published_by, correction_number, published_at)
        VALUES (\(articleID), \(revision), \(responsibleEditorID), \(publishedBy), \(correctionNumber), \(at))
        """
    }

    /// Adds a public correction or retraction notice, numbered 1, 2, 3… per article.
    static func insertCorrection(
        _ conn: PostgresConnection, articleID: UUID, revision: Int, kind: String, note: String, actorID: UUID?, at: Date
    ) throws -> Int {
        try conn.query(
            """
            INSERT INTO corrections (article_id, number, revision, kind, note, created_by, created_at)
            SELECT \(articleID), COALESCE(max(number), 0) + 1, \(revision), \(kind), \(note), \(actorID), \(at)
            FROM corrections WHERE article_id = \(articleID)
            RETURNING number
            """
        )[0].decode("number")
    }

    static func corrections(_ conn: PostgresConnection, articleID: UUID) throws -> [Correction] {
        try conn.query(
            "SELECT number, revision, kind, note, created_at FROM corrections WHERE article_id = \(articleID) ORDER BY number"
        ).map { row in
            Correction(
                number: try row.decode("number"), revision: try row.decode("revision"), kind: try row.decode("kind"),
                note: try row.decode("note"), createdAt: try row.decode("created_at"))
        }
    }

    /// Records a batch and its per-article results, as reported to its requester.
    static func insertBatch(
        _ conn: PostgresConnection, id: UUID, requestedBy actorID: UUID, atomic: Bool, results: [PublishingService.ItemResult], at: Date
    ) throws {
        try conn.execute(
            """
            INSERT INTO publish_batches (id, requested_by, atomic, results, created_at)
            VALUES (\(id), \(actorID), \(atomic), \(JSONB(results.map(StoredResult.init))), \(at))
            """)
    }

    static func batch(_ conn: PostgresConnection, id: UUID) throws -> PublishingService.StoredBatch {
        guard let row = try conn.query("SELECT id, atomic, results, created_at FROM publish_batches WHERE id = \(id)").single else {
            throw GalleyError.notFound(kind: "publish batch", id: id.uuidString.lowercased())
        }
        return PublishingService.StoredBatch(
            id: try row.decode("id"), atomic: try row.decode("atomic"), results: try row.decode("results"),
            createdAt: try row.decode("created_at"))
    }

    /// One article's result as a batch stores it.
    private struct StoredResult: Codable, Sendable {
        var article_id: String
        var status: String
        var error: String?
        init(_ result: PublishingService.ItemResult) {
            article_id = result.articleID.uuidString.lowercased()
            status = result.status.rawValue
            error = result.error?.message
        }
    }
}
