import Foundation
import GalleyCore
import Postgres

/// SQL for comment threads (`comments`, sql/0014_people.sql).
enum CommentStore {
    /// What a new comment is anchored to, as the article holds it.
    struct Anchor {
        /// The revision commented on: the one asked for, or the current one.
        var revision: Int?
        var currentRevision: Int
        var quoteFound: Bool
        var claimFound: Bool
        var parentFound: Bool
        var parentIsRoot: Bool
        var parentReplies: Int
    }

    /// Locks the thread a reply joins, so that its replies are counted one writer at a time.
    static func lockThread(_ conn: PostgresConnection, parentID: UUID, articleID: UUID) throws {
        _ = try conn.query("SELECT id FROM comments WHERE id = \(parentID) AND article_id = \(articleID) FOR UPDATE")
    }

    /// The article's side of a new comment; `notFound` when there is no such article.
    static func anchor(
        _ conn: PostgresConnection, articleID: UUID, revision: Int?, quote: String?, claimID: UUID?, parentID: UUID?
    ) throws -> Anchor {
        let rows = try conn.query(
            """
            SELECT a.current_revision, r.number AS revision,
                   (\(quote)::text IS NULL OR strpos(r.body, \(quote)::text) > 0) AS quote_found,
                   cl.id IS NOT NULL AS claim_found, p.id IS NOT NULL AS parent_found,
                   p.parent_id IS NULL AS parent_is_root,
                   (SELECT count(*) FROM comments x WHERE x.parent_id = p.id) AS parent_replies
            FROM articles a
            LEFT JOIN revisions r ON r.article_id = a.id AND r.number = COALESCE(\(revision)::int, a.current_revision)
            LEFT JOIN claims cl ON cl.id = \(claimID)::uuid AND cl.article_id = a.id
            LEFT JOIN comments p ON p.id = \(parentID)::uuid AND p.article_id = a.id
            WHERE a.id = \(articleID)
            """)
        guard let row = rows.single else { throw GalleyError.notFound(kind: "article", id: articleID.lowercasedString) }
        return Anchor(
            revision: try row.decode("revision"), currentRevision: try row.decode("current_revision"),
            quoteFound: try row.decode("quote_found", as: Bool?.self) ?? false, claimFound: try row.decode("claim_found"),
            parentFound: try row.decode("parent_found"), parentIsRoot: try row.decode("parent_is_root"),
            parentReplies: try row.decode("parent_replies"))
    }

    struct NewComment {
        var id: UUID
        var articleID: UUID
        var revision: Int
        var parentID: UUID?
        var quote: String?
        var claimID: UUID?
        var body: String
        var authorID: UUID
        var at: Date
    }

    static func insert(_ conn: PostgresConnection, _ new: NewComment) throws {
        try conn.execute(
            """
            INSERT INTO comments (id, article_id, revision, parent_id, claim_id, quote, body, author_id, created_at)
            VALUES (\(new.id), \(new.articleID), \(new.revision), \(new.parentID)::uuid, \(new.claimID)::uuid, \(new.quote)::text,
                    \(new.body), \(new.authorID), \(new.at))
            """)
    }

    /// The comment, as `comment(_:)` reads it; `notFound` unless it is one of the article's.
    static func fetch(_ conn: PostgresConnection, id: UUID, articleID: UUID) throws -> Comment {
        guard let row = try conn.query("\(select) WHERE c.id = \(id) AND c.article_id = \(articleID)").single else {
            throw GalleyError.notFound(kind: "comment", id: "\(id.lowercasedString) on article \(articleID.lowercasedString)")
        }
        return try comment(row)
    }

    /// Resolves or reopens the thread rooted at `rootID`; false when it already was so.
    static func setResolved(_ conn: PostgresConnection, rootID: UUID, resolved: Bool, by actorID: UUID, at: Date) throws -> Bool {
        let sql: SQL =
            resolved
            ? "UPDATE comments SET resolved_at = \(at), resolved_by = \(actorID) WHERE id = \(rootID) AND resolved_at IS NULL RETURNING id"
            : "UPDATE comments SET resolved_at = NULL, resolved_by = NULL WHERE id = \(rootID) AND resolved_at IS NOT NULL RETURNING id"
        return try !conn.query(sql).isEmpty
    }

    /// Up to `limit` roots after `after` (created_at, id), oldest first, with their reply counts.
    static func roots(
        _ conn: PostgresConnection, articleID: UUID, resolved: Bool?, after: (Date, UUID)?, limit: Int
    ) throws -> [(root: Comment, replies: Int)] {
        var sql: SQL = "\(select) WHERE c.article_id = \(articleID) AND c.parent_id IS NULL"
        if let resolved { sql.append(" AND (c.resolved_at IS NOT NULL) = \(resolved)") }
        if let (date, id) = after { sql.append(" AND (c.created_at, c.id) > (\(date)::timestamptz, \(id)::uuid)") }
        sql.append(" ORDER BY c.created_at, c.id LIMIT \(limit)")
        return try conn.query(sql).map { row in (try comment(row), try row.decode("replies")) }
    }

    /// Every reply in these threads, oldest first.
    static func replies(_ conn: PostgresConnection, rootIDs: [UUID]) throws -> [Comment] {
        try conn.query("\(select) WHERE c.parent_id = ANY (\(TextArray(rootIDs))::uuid[]) ORDER BY c.created_at, c.id").map(comment)
    }

    /// A comment with its author, its thread's resolution (kept on the root), its reply count
    /// (for a root) and whether its quote still occurs in the article's current revision. A
    /// quote checked against the current revision when written still occurs in it, so only
    /// quotes of older revisions are searched: at most one search of one body per comment.
    private static let select: SQL = """
        SELECT c.id, c.article_id, c.revision, c.parent_id, c.quote, c.claim_id, c.body, c.created_at,
               au.id AS author_id, au.name AS author_name, au.display_name AS author_display_name,
               t.resolved_at, rb.id AS resolver_id, rb.name AS resolver_name, rb.display_name AS resolver_display_name,
               (c.quote IS NOT NULL AND c.revision <> a.current_revision AND strpos(cur.body, c.quote) = 0) AS outdated,
               (SELECT count(*) FROM comments x WHERE x.parent_id = c.id) AS replies
        FROM comments c
        JOIN actors au ON au.id = c.author_id
        JOIN comments t ON t.id = COALESCE(c.parent_id, c.id)
        LEFT JOIN actors rb ON rb.id = t.resolved_by
        JOIN articles a ON a.id = c.article_id
        JOIN revisions cur ON cur.article_id = a.id AND cur.number = a.current_revision
        """

    private static func comment(_ row: PostgresRow) throws -> Comment {
        let resolverID: UUID? = try row.decode("resolver_id")
        return Comment(
            id: try row.decode("id"), articleID: try row.decode("article_id"), revision: try row.decode("revision"),
            parentID: try row.decode("parent_id"), quote: try row.decode("quote"), claimID: try row.decode("claim_id"),
            body: try row.decode("body"),
            author: .init(id: try row.decode("author_id"), name: try row.decode("author_name"), displayName: try row.decode("author_display_name")),
            createdAt: try row.decode("created_at"), resolvedAt: try row.decode("resolved_at"),
            resolvedBy: try resolverID.map {
                .init(id: $0, name: try row.decode("resolver_name"), displayName: try row.decode("resolver_display_name"))
            },
            outdated: try row.decode("outdated"))
    }
}
