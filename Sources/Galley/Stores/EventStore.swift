import Foundation
import GalleyCore
import Postgres

/// SQL for the stream of published events (`event_stream`, sql/0004_webhooks.sql) and the
/// wake-ups that tell listeners to read it again (docs/events.md).
enum EventStore {
    /// The id of the oldest transaction still running: every event of an older one is final.
    static func oldestRunning(_ conn: PostgresConnection) throws -> UInt64? {
        let xmin: String = try conn.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin")[0].decode("xmin")
        return UInt64(xmin)
    }

    /// Up to `limit` events after `position` whose transactions are older than every
    /// transaction still running, in (transaction, event) order; nil when `live` (a condition
    /// on the reader's token) does not hold. `follower` keeps the events of articles that
    /// actor has an open assignment on or a comment in, as they stand when the events are read.
    static func events(
        _ conn: PostgresConnection, after position: EventStreamService.Position, limit: Int, filter: EventStreamService.Filter,
        follower: UUID?, whileLive live: SQL
    ) throws -> [EventStreamService.Event]? {
        let xid = String(position.xid)
        var sql: SQL = """
            SELECT l.live, x.xid::text AS xid, x.event_id, x.type, x.payload
            FROM (SELECT \(live) AS live) l
            LEFT JOIN LATERAL (
                SELECT s.xid, s.event_id, s.type, galley_event_payload(e, s.type) AS payload
                FROM event_stream s JOIN audit_events e ON e.id = s.event_id
                WHERE l.live AND (s.xid, s.event_id) > (\(xid)::xid8, \(position.eventID))
                  AND s.xid < pg_snapshot_xmin(pg_current_snapshot())
            """
        if let types = filter.types { sql.append(" AND s.type = ANY(\(types)::text[])") }
        if let articleID = filter.articleID { sql.append(" AND e.article_id = \(articleID)") }
        if let follower {
            sql.append(
                """
                 AND e.article_id IN (
                    SELECT article_id FROM assignments WHERE assignee_id = \(follower) AND ended_at IS NULL
                    UNION ALL SELECT article_id FROM comments WHERE author_id = \(follower))
                """)
        }
        sql.append(" ORDER BY s.xid, s.event_id LIMIT \(limit)) x ON true ORDER BY x.xid, x.event_id")
        let rows = try conn.query(sql)
        guard try rows.single?.decode("live", as: Bool.self) == true else { return nil }
        return try rows.compactMap { row in
            guard let eventID: Int = try row.decode("event_id") else { return nil }
            let xid: String = try row.decode("xid")
            return EventStreamService.Event(
                position: .init(xid: UInt64(xid) ?? 0, eventID: eventID), type: try row.decode("type"), payload: try row.decode("payload"))
        }
    }

    /// Deletes up to `limit` rows of the stream whose events were recorded before `before`
    /// and that every reader can see (their transactions are older than any still running);
    /// returns how many. Event ids grow with time, so the scan starts at the oldest and stops
    /// at the last event recorded before `before`.
    static func prune(_ conn: PostgresConnection, before: Date, limit: Int) throws -> Int {
        try conn.execute(
            """
            DELETE FROM event_stream WHERE event_id IN (
                SELECT s.event_id FROM event_stream s JOIN audit_events e ON e.id = s.event_id
                WHERE s.event_id <= (SELECT id FROM audit_events WHERE at < \(before) ORDER BY at DESC, id DESC LIMIT 1)
                  AND e.at < \(before) AND s.xid < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY s.event_id LIMIT \(limit))
            """)
    }

    /// Wakes every server's listeners (they LISTEN on `galley_events`).
    static func wakeListeners(_ pool: PostgresPool) async throws {
        _ = try await pool.query("NOTIFY galley_events")
    }
}
