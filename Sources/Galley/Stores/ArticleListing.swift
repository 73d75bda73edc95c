import Foundation
import GalleyCore
import Postgres

/// SQL for lists of articles.
extension ArticleStore {
    struct ListFilter: Sendable {
        var state: ArticleState?
        var section: String?
        var origin: Origin?
        var tag: String?
        var live: Bool?
        var updatedSince: Date?
        var query: String?
        /// How many of the newest articles of the list (after its other filters and the
        /// cursor) a text search looks among before it reads the rest of its page from the
        /// index of words (`searched`).
        var searchWindow = ArticleStore.searchWindow
        var ids: [UUID]?
    }

    /// A text search's window: a word on one article in four hundred fills a page of 50 within
    /// it if it is spread evenly; walking it is 20,000 probes of `article_search` at most
    /// (docs/decisions.md, "A full-text list").
    static let searchWindow = 20_000

    /// Newest first by `updated_at`, keyset-paginated by (updated_at, id).
    static func list(_ filter: ListFilter, after cursor: (Date, UUID)?, limit: Int) -> StoreRead<[Article]> {
        StoreRead(sql: planned("\(columns) FROM \(page(filter, after: cursor, limit: limit)) \(newestFirst)", filter)) { rows in
            try rows.map(article)
        }
    }

    /// A search planned for its words every time (`SQL.plannedEachTime`): whether the planner
    /// walks the window or reads the words' matches from the index depends on how common they
    /// are, which a generic plan does not know (it chose a nested loop over every pair of
    /// article and match). Other lists keep their prepared plans.
    private static func planned(_ sql: SQL, _ filter: ListFilter) -> SQL {
        filter.query == nil ? sql : sql.plannedEachTime()
    }

    /// The rows of a page, joined to `k` (`page`), in the list's order.
    private static let newestFirst: SQL = """
        JOIN articles a ON a.id = k.id LEFT JOIN actors e ON e.id = a.responsible_editor_id ORDER BY a.updated_at DESC, a.id DESC
        """

    /// `list` reading only the columns of `fields` (with the id and `updated_at` a cursor
    /// needs) and decoding only those: the current revision's title is joined in only for
    /// `title` (never its body), the editor's name only for `responsible_editor`.
    /// `current_revision` is not read here (`RevisionStore.current(of:)` reads it).
    static func listing(_ fields: Set<ArticleField>, _ filter: ListFilter, after cursor: (Date, UUID)?, limit: Int) -> StoreRead<[ListedArticle]> {
        // In name order, so that one set of fields is one statement text (one prepared statement).
        let columns = fields.subtracting([.id, .updated_at, .current_revision]).sorted()
        var sql: SQL = "SELECT a.id, a.updated_at"
        for field in columns { sql.append(SQL(stringLiteral: ", \(column(field))")) }
        sql.append(" FROM \(page(filter, after: cursor, limit: limit)) JOIN articles a ON a.id = k.id")
        if fields.contains(.responsible_editor) { sql.append(" LEFT JOIN actors e ON e.id = a.responsible_editor_id") }
        if fields.contains(.title) { sql.append(" JOIN revisions r ON r.article_id = a.id AND r.number = a.current_revision") }
        sql.append(" ORDER BY a.updated_at DESC, a.id DESC")
        return StoreRead(sql: planned(sql, filter)) { rows in
            try rows.map { row in
                var listed = ListedArticle(id: try row.decode("id"), updatedAt: try row.decode("updated_at"))
                for field in columns {
                    switch field {
                    case .created_at: listed.createdAt = try row.decode("created_at")
                    case .live_revision: listed.liveRevision = try row.decode("live_revision")
                    case .origin: listed.origin = try row.enumValue("origin")
                    case .publish_at: listed.publishAt = try row.decode("publish_at")
                    case .responsible_editor: listed.responsibleEditor = try row.decode("responsible_editor")
                    case .section: listed.section = try row.decode("section")
                    case .slug: listed.slug = try row.decode("slug")
                    case .state: listed.state = try row.enumValue("state")
                    case .tags: listed.tags = try row.decode("tags")
                    case .title: listed.title = try row.decode("title")
                    case .version: listed.version = try row.decode("version")
                    case .current_revision, .id, .updated_at: break
                    }
                }
                return listed
            }
        }
    }

    /// The column a listed field is read from, named as the field.
    private static func column(_ field: ArticleField) -> String {
        switch field {
        case .responsible_editor: "e.name AS responsible_editor"
        case .title: "r.title"
        case .created_at, .current_revision, .id, .live_revision, .origin, .publish_at, .section, .slug, .state, .tags, .updated_at,
            .version:
            "a.\(field.rawValue)"
        }
    }

    /// The ids of a page's articles as `k`: the filter, the cursor, the order and the limit,
    /// reading no more than the filter needs, so that a walk of `articles_newest` tests a tag
    /// on its index entries alone; only the page's rows are read whole, by the caller's join.
    private static func page(_ filter: ListFilter, after cursor: (Date, UUID)?, limit: Int) -> SQL {
        if let text = filter.query { return searched(text, filter, after: cursor, limit: limit) }
        return "(SELECT a.id FROM articles a WHERE true\(conditions(filter, after: cursor)) ORDER BY a.updated_at DESC, a.id DESC LIMIT \(limit)) k"
    }

    /// A text search's page as `k`, never testing more than `searchWindow` articles one by one
    /// (docs/decisions.md, "A full-text list"): `newest`, the matches among the window's
    /// articles (the planner walks them testing each, or takes the word's matches from its
    /// index and keeps those in the window, as its statistics of the words say is cheaper);
    /// only when they do not fill the page and the list goes on past the window (`edge`, its
    /// last article), the rest from `older`, every match, read from the index and sorted. The
    /// last LIMIT changes no answer; it tells the planner the page is small (it took the
    /// fallback's size for the page's and joined it to every article).
    private static func searched(_ text: String, _ filter: ListFilter, after cursor: (Date, UUID)?, limit: Int) -> SQL {
        let window = conditions(filter, after: cursor)
        return """
            (WITH newest AS MATERIALIZED (
                SELECT w.id, w.updated_at
                FROM (SELECT a.id, a.updated_at FROM articles a WHERE true\(window) ORDER BY a.updated_at DESC, a.id DESC LIMIT \(filter.searchWindow)) w
                WHERE w.id IN (SELECT article_id FROM article_search WHERE search @@ websearch_to_tsquery('english', \(text)))
                ORDER BY w.updated_at DESC, w.id DESC LIMIT \(limit)),
            edge AS MATERIALIZED (
                SELECT a.updated_at, a.id FROM articles a WHERE true\(window)
                ORDER BY a.updated_at DESC, a.id DESC OFFSET \(filter.searchWindow - 1) LIMIT 1),
            older AS MATERIALIZED (
                SELECT a.id, a.updated_at FROM article_search s JOIN articles a ON a.id = s.article_id
                WHERE s.search @@ websearch_to_tsquery('english', \(text))\(conditions(filter, after: nil)))
            SELECT id FROM newest
            UNION ALL
            (SELECT id FROM older WHERE EXISTS (SELECT FROM edge) AND (updated_at, id) < (SELECT updated_at, id FROM edge)
             ORDER BY updated_at DESC, id DESC LIMIT \(limit) - (SELECT count(*) FROM newest))
            LIMIT \(limit)) k
            """
    }

    /// The list's filters (but the text) and its cursor, as conditions on `a`.
    private static func conditions(_ filter: ListFilter, after cursor: (Date, UUID)?) -> SQL {
        var sql: SQL = ""
        if let state = filter.state { sql.append(" AND a.state = \(state.rawValue)") }
        if let section = filter.section { sql.append(" AND a.section = \(section)") }
        if let origin = filter.origin { sql.append(" AND a.origin = \(origin.rawValue)") }
        if let tag = filter.tag { sql.append(" AND a.tags @> ARRAY[\(tag)]") }
        if let live = filter.live { sql.append(live ? " AND a.live_revision IS NOT NULL" : " AND a.live_revision IS NULL") }
        if let since = filter.updatedSince { sql.append(" AND a.updated_at >= \(since)") }
        if let (updatedAt, id) = cursor { sql.append(" AND (a.updated_at, a.id) < (\(updatedAt), \(id))") }
        return sql
    }
}
