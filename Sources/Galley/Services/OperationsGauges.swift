import Foundation
import Postgres

/// What `/metrics` reads from the database at each scrape, with one statement
/// (`OperationsStore.gauges`).
public struct OperationsGauges: Sendable, Equatable {
    /// Open steps of the work queue, by step (`source_check`, `approval`, …).
    public var queueDepth: [String: Int] = [:]
    /// Seconds since the newest audit seal; nil before the first.
    public var sealAge: Double?
    /// The audit log's length: its newest event's id (ids of appends rolled back are skipped).
    public var auditEvents: Int = 0
    /// Webhook deliveries not yet delivered or given up on.
    public var webhookBacklog: Int = 0
    /// Seconds the oldest of them has waited; 0 with none.
    public var webhookOldestUndeliveredAge: Double = 0

    public init() {}

    public static func read(_ pool: PostgresPool) async throws -> OperationsGauges {
        var gauges = OperationsGauges()
        for row in try await pool.query(OperationsStore.gauges) {
            let value = try row.decode("value", as: Double.self)
            switch try row.decode("gauge", as: String.self) {
            case "queue_depth": gauges.queueDepth[try row.decode("label", as: String.self)] = Int(value)
            case "seal_age": gauges.sealAge = value
            case "audit_events": gauges.auditEvents = Int(value)
            case "webhook_backlog": gauges.webhookBacklog = Int(value)
            case "webhook_oldest_undelivered_age": gauges.webhookOldestUndeliveredAge = value
            default: break
            }
        }
        return gauges
    }
}
