import Foundation
import GalleyCore
import Postgres

extension AuditService {
    /// How many events match `query`; lets a long export or verification show an ETA.
    public func count(_ query: Query, by caller: Caller) async throws -> Int {
        try caller.principal.require(.readAudit)
        return try await env.read { conn in
            var sql: SQL = "SELECT count(*) AS n FROM audit_events WHERE true"
            if let id = query.articleID { sql.append(" AND article_id = \(id)") }
            if let actor = query.actor { sql.append(" AND actor_name = \(actor)") }
            if let action = query.action { sql.append(" AND action = \(action)") }
            if let since = query.since { sql.append(" AND at >= \(since)") }
            if let until = query.until { sql.append(" AND at < \(until)") }
            return try conn.query(sql).single?.decode("n", as: Int.self) ?? 0
        }
    }
}
