import Foundation
import GalleyCore
import Postgres

/// SQL for the published side: live revisions, retractions, and the counter that every
/// change readers can see moves (sql/0020).
enum ContentStore {
    static let generation = StoreRead<Int64>(sql: "SELECT generation FROM content_generation") { rows in
        guard let row = rows.single else { throw PostgresError(kind: .decoding, message: "content_generation has no row") }
        return try row.decode("generation")
    }

    /// The articles readers may see with the revision they see: the live one, or for a
    /// retracted article the one last published (for its title).
    private static let select: SQL = """
        SELECT a.slug, a.section, a.tags, a.origin, a.state, a.first_published_at, a.public_updated_at, rv.*
        FROM articles a CROSS JOIN LATERAL (\(RevisionStore.select)
            WHERE r.article_id = a.id AND r.number = COALESCE(a.live_revision,
                (SELECT p.revision FROM publications p WHERE p.article_id = a.id ORDER BY p.published_at DESC LIMIT 1))) rv
        """

    static func article(slug: String) -> StoreRead<Row?> {
        StoreRead(sql: "\(select) WHERE a.slug = \(slug) AND (a.live_revision IS NOT NULL OR a.state = 'retracted')") { rows in
            try rows.single.map(row)
        }
    }

    struct ListFilter: Sendable {
        var section: String?
        var tag: String?
        var updatedSince: Date?
    }

    /// Live articles, first published newest first, keyset-paginated by (first_published_at, id).
    static func list(_ filter: ListFilter, after cursor: (Date, UUID)?, limit: Int) -> StoreRead<[Row]> {
        var sql: SQL = "\(select) WHERE a.live_revision IS NOT NULL"
        if let section = filter.section { sql.append(" AND a.section = \(section)") }
        if let tag = filter.tag { sql.append(" AND a.tags @> ARRAY[\(tag)]") }
        if let since = filter.updatedSince { sql.append(" AND a.public_updated_at >= \(since)") }
        if let (publishedAt, id) = cursor { sql.append(" AND (a.first_published_at, a.id) < (\(publishedAt), \(id))") }
        sql.append(" ORDER BY a.first_published_at DESC, a.id DESC LIMIT \(limit)")
        return StoreRead(sql: sql) { rows in try rows.map(row) }
    }

    /// Live articles first published at or after `since`, newest first: a range of the
    /// `articles_public` index, then the title by primary key for each row kept (a join let
    /// the planner scan every revision instead; docs/content.md, "Feeds").
    static func headlines(firstPublishedSince since: Date, limit: Int) -> StoreRead<[PublicHeadline]> {
        StoreRead(
            sql: """
                SELECT a.id, a.slug, a.first_published_at,
                       (SELECT r.title FROM revisions r WHERE r.article_id = a.id AND r.number = a.live_revision) AS title
                FROM articles a
                WHERE a.live_revision IS NOT NULL AND a.first_published_at >= \(since)
                ORDER BY a.first_published_at DESC, a.id DESC LIMIT \(limit)
                """
        ) { rows in
            try rows.map { row in
                PublicHeadline(
                    id: try row.decode("id"), slug: try row.decode("slug"), title: try row.decode("title"),
                    publishedAt: try row.decode("first_published_at"))
            }
        }
    }

    /// The public notices of the article with `slug`, in order.
    static func corrections(slug: String) -> StoreRead<[Correction]> {
        StoreRead(
            sql: """
                SELECT c.article_id, c.number, c.revision, c.kind, c.note, c.created_at
                FROM corrections c JOIN articles a ON a.id = c.article_id WHERE a.slug = \(slug) ORDER BY c.number
                """
        ) { rows in try rows.map(correction).map(\.1) }
    }

    /// The public notices of each article in `ids`, in order, keyed by article id.
    static func corrections(of ids: [UUID]) -> StoreRead<[UUID: [Correction]]> {
        StoreRead(
            sql: """
                SELECT article_id, number, revision, kind, note, created_at FROM corrections
                WHERE article_id = ANY (\(TextArray(ids.map(\.uuidString)))::uuid[]) ORDER BY article_id, number
                """
        ) { rows in
            Dictionary(grouping: try rows.map(correction), by: \.0).mapValues { $0.map(\.1) }
        }
    }

    /// One article as the statements above read it, before its notices are joined to it.
    struct Row: Sendable {
        let slug: String
        let section: String
        let tags: [String]
        let origin: Origin
        let isRetracted: Bool
        let publishedAt: Date
        let updatedAt: Date
        let revision: Revision

        func article(notices: [Correction]) -> PublicArticle {
            let standing: PublicArticle.Standing =
                isRetracted
                ? .retracted(title: revision.content.title, notice: notices.last { $0.kind == "retraction" })
                : .live(revision, corrections: notices.filter { $0.kind == "correction" })
            return PublicArticle(
                id: revision.articleID, slug: slug, section: section, tags: tags, origin: origin, standing: standing,
                publishedAt: publishedAt, updatedAt: updatedAt)
        }
    }

    private static func row(_ row: PostgresRow) throws -> Row {
        let revision = try RevisionStore.revision(row)
        guard let origin = Origin(rawValue: try row.decode("origin")) else {
            throw PostgresError(kind: .decoding, message: "unknown origin")
        }
        return Row(
            slug: try row.decode("slug"), section: try row.decode("section"), tags: try row.decode("tags"), origin: origin,
            isRetracted: try row.decode("state", as: String.self) == ArticleState.retracted.rawValue,
            publishedAt: try row.decode("first_published_at"), updatedAt: try row.decode("public_updated_at"),
            revision: revision)
    }

    private static func correction(_ row: PostgresRow) throws -> (UUID, Correction) {
        (
            try row.decode("article_id"),
            Correction(
                number: try row.decode("number"), revision: try row.decode("revision"), kind: try row.decode("kind"),
                note: try row.decode("note"), createdAt: try row.decode("created_at"))
        )
    }
}
