import Foundation
import GalleyCore
import Postgres

extension AuditService {
    /// How many events match `query`; lets a long export or verification show an ETA.
    public func count(_ query: Query, by caller: Caller) async throws -> Int {
        try caller.principal.require(.readAudit)
        let filter = query.filter
        return try await env.read { conn in try AuditStore.count(conn, filter: filter) }
    }
}
