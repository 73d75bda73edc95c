import Foundation
import GalleyCore
import Postgres

/// One change to record; the database numbers it and links it into its chain.
struct AuditEntry: Sendable {
    var chain: String
    var principal: Principal
    var action: String
    var articleID: UUID?
    var revision: Int?
    var fromState: String?
    var toState: String?
    var reason: String?
    var details: JSONValue = [:]
    var requestID: String?
    var at: Date

    static func chain(article id: UUID) -> String { "article:" + id.uuidString.lowercased() }
    static func chain(generation id: UUID) -> String { "generation:" + id.uuidString.lowercased() }
    static let systemChain = "system"
}

/// SQL for the audit log. Events are only ever inserted; see sql/0003_audit.sql.
enum AuditStore {
    static func append(_ conn: PostgresConnection, _ entry: AuditEntry) throws {
        try conn.execute(insert(entry))
    }

    /// `append` as a step of a pipeline.
    static func appending(_ entry: AuditEntry) -> StoreRead<Void> {
        StoreRead(sql: insert(entry)) { _ in }
    }

    /// The event's INSERT. In a recorded trace it also hands the trace on to the webhook
    /// deliveries the event causes (`ChangeTrace`); otherwise it is the plain INSERT.
    static func insert(_ entry: AuditEntry) -> SQL {
        guard let trace = ChangeTrace.current else { return "\(insertColumns) VALUES (\(values(entry)))" }
        return "\(insertColumns) SELECT \(values(entry)) WHERE \(ChangeTrace.handingOn(trace))"
    }

    /// The event's INSERT, writing a row only when the query `source` (a name in the same
    /// statement's WITH list) yields one: the event of a change that happened.
    static func insert(_ entry: AuditEntry, onlyAfter source: String) -> SQL {
        "\(insertColumns) SELECT \(values(entry)) FROM \(SQL(stringLiteral: source))\(tracing(after: " WHERE"))"
    }

    /// `keyword` and the condition that hands the current trace on (`ChangeTrace`), or
    /// nothing outside a recorded trace.
    static func tracing(after keyword: SQL) -> SQL {
        guard let trace = ChangeTrace.current else { return "" }
        return keyword + " " + ChangeTrace.handingOn(trace)
    }

    /// The INSERT's head, shared by one event (`insert(_:)`) and many (`insert(_ entries:)`).
    static let insertColumns: SQL = """
        INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_id, actor_name, action, article_id, revision,
                                  from_state, to_state, reason, details, request_id, at)
        """

    private static func values(_ entry: AuditEntry) -> SQL {
        """
        \(entry.chain), 0, '', '', \(entry.principal.actorID)::uuid, \(entry.principal.name), \(entry.action),
        \(entry.articleID)::uuid, \(entry.revision)::int, \(entry.fromState)::text, \(entry.toState)::text, \(entry.reason)::text,
        \(entry.details)::jsonb, \(entry.requestID)::text, \(entry.at)::timestamptz
        """
    }

    /// `details` once: its text is PostgreSQL's print of the jsonb, the text the hash covers,
    /// and the parsed value is read from the same bytes.
    static let columns: SQL = """
        id, chain, seq, actor_id, actor_name, action, article_id, revision, from_state, to_state, reason, details,
        request_id, at, prev_hash, hash
        """

    /// The event of a row whose `columns` start at position `id`. Decoding by position: on
    /// an export of millions, finding each column by its name cost as much as decoding it.
    static func event(_ row: PostgresRow, at id: Int) throws -> AuditEvent {
        AuditEvent(
            id: try row.decode(at: id), chain: try row.decode(at: id + 1), seq: try row.decode(at: id + 2),
            actorID: try row.decode(at: id + 3), actor: try row.decode(at: id + 4), action: try row.decode(at: id + 5),
            articleID: try row.decode(at: id + 6), revision: try row.decode(at: id + 7),
            fromState: try row.decode(at: id + 8), toState: try row.decode(at: id + 9),
            reason: try row.decode(at: id + 10), details: try row.decode(at: id + 11), detailsText: try row.decode(at: id + 11),
            requestID: try row.decode(at: id + 12), at: try row.decode(at: id + 13), prevHash: try row.decode(at: id + 14),
            hash: try row.decode(at: id + 15))
    }

    static func events(_ rows: PostgresRows) throws -> [AuditEvent] {
        guard !rows.isEmpty else { return [] }
        let id = try rows.position(of: "id")
        return try rows.map { try event($0, at: id) }
    }

    struct Filter: Sendable {
        var articleID: UUID?
        var actor: String?
        var action: String?
        var since: Date?
        var until: Date?

        /// `AND …` conditions for the set filters, appended after a `WHERE`.
        var conditions: SQL {
            var sql: SQL = ""
            if let articleID { sql.append(" AND article_id = \(articleID)") }
            if let actor { sql.append(" AND actor_name = \(actor)") }
            if let action { sql.append(" AND action = \(action)") }
            if let since { sql.append(" AND at >= \(since)") }
            if let until { sql.append(" AND at < \(until)") }
            return sql
        }
    }

    /// Events in id order after `afterID`, at most `limit`.
    static func list(_ conn: PostgresConnection, filter: Filter, afterID: Int, limit: Int) throws -> [AuditEvent] {
        let sql: SQL = "SELECT \(columns) FROM audit_events WHERE id > \(afterID)\(filter.conditions) ORDER BY id LIMIT \(limit)"
        return try events(conn.query(sql))
    }

    /// `list`'s rows, or nil when `live` (a condition on the reader's token) does not hold:
    /// each batch of a long export confirms the token in its own statement. Read in binary
    /// (`SQL.inBinary`): times, ids and numbers arrive as numbers, which the server need not
    /// print nor the export parse.
    static func list(_ conn: PostgresConnection, filter: Filter, afterID: Int, limit: Int, whileLive live: SQL) throws -> AuditEventRows? {
        let sql: SQL = """
            SELECT l.live, x.* FROM (SELECT \(live) AS live) l
            LEFT JOIN LATERAL (
                SELECT \(columns) FROM audit_events WHERE l.live AND id > \(afterID)\(filter.conditions) ORDER BY id LIMIT \(limit)
            ) x ON true
            ORDER BY x.id
            """
        let rows = try conn.query(sql.inBinary())
        guard try rows.single?.decode("live", as: Bool.self) == true else { return nil }
        let id = try rows.position(of: "id")
        // No event: the one row says only that the token is live.
        let none = try rows[0].decode(at: id, as: Int?.self) == nil
        return AuditEventRows(rows, first: id, count: none ? 0 : rows.count)
    }

    /// Whether the chain holds an event of this action.
    static func hasEvent(_ conn: PostgresConnection, chain: String, action: String) throws -> Bool {
        try !conn.query("SELECT 1 FROM audit_events WHERE chain = \(chain) AND action = \(action) LIMIT 1").isEmpty
    }

    static func count(_ conn: PostgresConnection, filter: Filter) throws -> Int {
        try conn.query("SELECT count(*) AS n FROM audit_events WHERE true\(filter.conditions)").single?.decode("n", as: Int.self) ?? 0
    }

    /// Every draft whose latest return to draft (an event into `draft` from another state)
    /// was `article.request_changes`, with the author of the revision changes were asked of:
    /// the drafts whose `changes` step is open.
    static func changesRequestedOfDrafts() -> StoreRead<[(articleID: UUID, origin: Origin, author: String)]> {
        StoreRead(
            sql: """
                SELECT a.id, a.origin, an.name AS author
                FROM articles a
                CROSS JOIN LATERAL (
                    SELECT e.action, e.revision FROM audit_events e
                    WHERE e.article_id = a.id AND e.to_state = 'draft' AND e.from_state IS DISTINCT FROM 'draft'
                    ORDER BY e.id DESC LIMIT 1
                ) entered
                JOIN revisions r ON r.article_id = a.id AND r.number = entered.revision
                JOIN actors an ON an.id = r.author_id
                WHERE a.state = 'draft' AND entered.action = 'article.request_changes'
                ORDER BY a.id
                """
        ) { rows in
            try rows.map { (articleID: try $0.decode("id"), origin: try $0.enumValue("origin"), author: try $0.decode("author")) }
        }
    }
}
