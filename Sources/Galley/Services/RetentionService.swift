import Foundation
import Postgres

/// Keeps the tables that grow with every change bounded: expired idempotency keys
/// (`GALLEY_IDEMPOTENCY_TTL`), the event stream's delivered rows and finished webhook
/// deliveries with their attempts (`GALLEY_EVENT_RETENTION`). Rows go in small batches, each
/// in its own short transaction, by one server at a time: a run holds a session's advisory
/// lock (on the direct session behind a pooler, `GalleyEnvironment.sessionPool`), and a
/// server that finds it taken leaves the work to its holder. The audit log is never pruned
/// (the app's role cannot delete from it).
public struct RetentionService: Sendable {
    let env: GalleyEnvironment

    /// What one run removed; `skipped` when another server was pruning.
    public struct Report: Sendable, Equatable {
        public var idempotencyKeys = 0
        public var eventStream = 0
        public var webhookDeliveries = 0
        public var webhookAttempts = 0
        public var skipped = false

        public init() {}

        /// Rows removed, by table.
        public var byTable: [(table: String, rows: Int)] {
            [
                ("idempotency_keys", idempotencyKeys), ("event_stream", eventStream), ("webhook_deliveries", webhookDeliveries),
                ("webhook_attempts", webhookAttempts),
            ]
        }
    }

    /// Removes what is past its time, `batchSize` rows a transaction, at most `maxBatches`
    /// batches a table (the rest waits for the next run).
    public func prune(batchSize: Int = 1000, maxBatches: Int = 100) async throws -> Report {
        let now = env.now()
        let keysBefore = now.addingTimeInterval(-env.idempotencyTTL)
        let eventsBefore = now.addingTimeInterval(-env.eventRetention)
        return try await env.sessionRead { conn in
            guard try RetentionStore.tryLock(conn) else {
                var report = Report()
                report.skipped = true
                return report
            }
            defer { _ = try? RetentionStore.unlock(conn) }
            var report = Report()
            report.idempotencyKeys = try Self.inBatches(conn, batchSize, maxBatches) {
                try IdempotencyStore.prune($0, before: keysBefore, limit: batchSize)
            }
            report.eventStream = try Self.inBatches(conn, batchSize, maxBatches) {
                try EventStore.prune($0, before: eventsBefore, limit: batchSize)
            }
            report.webhookDeliveries = try Self.inBatches(conn, batchSize, maxBatches) { conn in
                let pruned = try WebhookStore.pruneFinished(conn, before: eventsBefore, limit: batchSize)
                report.webhookAttempts += pruned.attempts
                return pruned.deliveries
            }
            return report
        }
    }

    /// Bytes on disk of the tables that grow, by name.
    public func tableSizes() async throws -> [String: Int] {
        try await env.query(RetentionStore.tableSizes())
    }

    /// Runs `batch` in a transaction of its own until it removes fewer than `batchSize` rows.
    private static func inBatches(
        _ conn: PostgresConnection, _ batchSize: Int, _ maxBatches: Int, _ batch: (PostgresConnection) throws -> Int
    ) throws -> Int {
        var total = 0
        for _ in 0..<maxBatches {
            let removed = try conn.inTransaction { try batch($0) }
            total += removed
            if removed < batchSize { break }
        }
        return total
    }
}

extension GalleyServices {
    public var retention: RetentionService { RetentionService(env: environment) }
}
