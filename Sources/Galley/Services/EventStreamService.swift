import Foundation
import GalleyCore
import Postgres

/// Published events in a order that never skips one: see `event_stream` in
/// sql/0004_webhooks.sql and docs/events.md.
public struct EventStreamService: Sendable {
    let env: GalleyEnvironment

    /// A reader's place in the stream: the inserting transaction's id and the event id.
    public struct Position: Sendable, Equatable, CustomStringConvertible {
        public var xid: UInt64
        public var eventID: Int

        public init(xid: UInt64, eventID: Int) {
            self.xid = xid
            self.eventID = eventID
        }

        /// Parses `"<xid>-<event id>"`, the SSE event id.
        public init?(_ text: String) {
            let parts = text.split(separator: "-")
            guard parts.count == 2, let xid = UInt64(parts[0]), let id = Int(parts[1]), id >= 0 else { return nil }
            self.init(xid: xid, eventID: id)
        }

        public var description: String { "\(xid)-\(eventID)" }
        public static let start = Position(xid: 0, eventID: 0)
    }

    public struct Event: Sendable {
        public let position: Position
        public let type: String
        /// The same fields as a webhook delivery's body, without `article`.
        public let payload: JSONValue
    }

    /// Where a reader that asks for no history starts: after everything already final.
    public func now(by caller: Caller) async throws -> Position {
        try caller.principal.require(.readAudit)
        return try await env.read { conn in
            let xmin: String = try conn.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin")[0].decode("xmin")
            return Position(xid: max(UInt64(xmin) ?? 1, 1) - 1, eventID: Int.max)
        }
    }

    /// Which events a reader wants; nil fields mean any.
    public struct Filter: Sendable {
        public var types: [String]?
        public var articleID: UUID?

        public init(types: [String]? = nil, articleID: UUID? = nil) {
            self.types = types
            self.articleID = articleID
        }
    }

    /// Up to `limit` events after `position` whose transactions are older than every
    /// transaction still running, in (transaction, event) order.
    public func read(after position: Position, limit: Int, filter: Filter = Filter(), by caller: Caller) async throws -> [Event] {
        try caller.principal.require(.readAudit)
        let xid = String(position.xid)
        var sql: SQL = """
            SELECT s.xid::text AS xid, s.event_id, s.type, galley_event_payload(e, s.type) AS payload
            FROM event_stream s JOIN audit_events e ON e.id = s.event_id
            WHERE (s.xid, s.event_id) > (\(xid)::xid8, \(position.eventID))
              AND s.xid < pg_snapshot_xmin(pg_current_snapshot())
            """
        if let types = filter.types { sql.append(" AND s.type = ANY(\(types)::text[])") }
        if let articleID = filter.articleID { sql.append(" AND e.article_id = \(articleID)") }
        sql.append(" ORDER BY s.xid, s.event_id LIMIT \(limit)")
        let query = sql
        return try await env.read { conn in
            try conn.query(query).map { row in
                let xid: String = try row.decode("xid")
                return Event(
                    position: Position(xid: UInt64(xid) ?? 0, eventID: try row.decode("event_id")), type: try row.decode("type"),
                    payload: try row.decode("payload"))
            }
        }
    }
}
