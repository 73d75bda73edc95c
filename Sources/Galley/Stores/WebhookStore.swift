import Foundation
import GalleyCore
import Postgres

/// SQL for webhook subscriptions and their deliveries. The outbox rows themselves are
/// written by the `audit_events_to_webhooks` trigger (sql/0004_webhooks.sql).
enum WebhookStore {
    static let columns: SQL = """
        id, url, event_types, status, paused_reason, consecutive_failures, created_by, created_at, updated_at
        """

    static func webhook(_ row: PostgresRow) throws -> Webhook {
        Webhook(
            id: try row.decode("id"), url: try row.decode("url"), eventTypes: try row.decode("event_types"),
            status: try row.decode("status"), pausedReason: try row.decode("paused_reason"),
            consecutiveFailures: try row.decode("consecutive_failures"), createdBy: try row.decode("created_by"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    static func insert(
        _ conn: PostgresConnection, id: UUID, url: String, eventTypes: [String]?, secret: String, by: String, at: Date
    ) throws -> Webhook {
        try webhook(
            conn.query(
                """
                INSERT INTO webhooks (id, url, event_types, secret, created_by, created_at, updated_at)
                VALUES (\(id), \(url), \(eventTypes), \(secret), \(by), \(at), \(at))
                RETURNING \(columns)
                """)[0])
    }

    static func list(_ conn: PostgresConnection) throws -> [Webhook] {
        try conn.query("SELECT \(columns) FROM webhooks ORDER BY created_at, id").map(webhook)
    }

    static func fetch(_ conn: PostgresConnection, id: UUID) throws -> Webhook {
        guard let row = try conn.query("SELECT \(columns) FROM webhooks WHERE id = \(id)").single else {
            throw GalleyError.notFound(kind: "webhook", id: id.uuidString.lowercased())
        }
        return try webhook(row)
    }

    /// Pauses or resumes (resuming clears the failure count) and replaces the event types.
    static func update(
        _ conn: PostgresConnection, id: UUID, active: Bool?, eventTypes: [String]??, at: Date
    ) throws -> Webhook {
        var sql: SQL = "UPDATE webhooks SET updated_at = \(at)"
        if let active {
            sql.append(
                active
                    ? ", status = 'active', paused_reason = NULL, consecutive_failures = 0"
                    : ", status = 'paused', paused_reason = 'paused by an admin'")
        }
        if let eventTypes { sql.append(", event_types = \(eventTypes)") }
        sql.append(" WHERE id = \(id) RETURNING \(columns)")
        guard let row = try conn.query(sql).single else {
            throw GalleyError.notFound(kind: "webhook", id: id.uuidString.lowercased())
        }
        return try webhook(row)
    }

    static func delete(_ conn: PostgresConnection, id: UUID) throws -> Webhook {
        guard let row = try conn.query("DELETE FROM webhooks WHERE id = \(id) RETURNING \(columns)").single else {
            throw GalleyError.notFound(kind: "webhook", id: id.uuidString.lowercased())
        }
        return try webhook(row)
    }

    static let deliveryColumns: SQL = """
        id, webhook_id, event_id, event_type, article_id, status, attempts, next_attempt_at, last_status, last_error,
        response_excerpt, redelivery_of, created_at, updated_at, seq
        """

    static func delivery(_ row: PostgresRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.decode("id"), webhookID: try row.decode("webhook_id"), eventID: try row.decode("event_id"),
            eventType: try row.decode("event_type"), articleID: try row.decode("article_id"), status: try row.decode("status"),
            attempts: try row.decode("attempts"), nextAttemptAt: try row.decode("next_attempt_at"),
            lastStatus: try row.decode("last_status"), lastError: try row.decode("last_error"),
            responseExcerpt: try row.decode("response_excerpt"), redeliveryOf: try row.decode("redelivery_of"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    /// Newest first, before the creation number `beforeSeq`.
    static func deliveries(_ conn: PostgresConnection, webhookID: UUID, beforeSeq: Int, limit: Int) throws -> [(Int, WebhookDelivery)] {
        try conn.query(
            """
            SELECT \(deliveryColumns) FROM webhook_deliveries
            WHERE webhook_id = \(webhookID) AND seq < \(beforeSeq) ORDER BY seq DESC LIMIT \(limit)
            """
        ).map { (try $0.decode("seq"), try delivery($0)) }
    }

    static func deliveryExists(_ conn: PostgresConnection, id: UUID, webhookID: UUID) throws -> Bool {
        try !conn.query("SELECT 1 FROM webhook_deliveries WHERE id = \(id) AND webhook_id = \(webhookID)").isEmpty
    }

    static func attempts(_ conn: PostgresConnection, deliveryID: UUID) throws -> [WebhookAttempt] {
        try conn.query(
            """
            SELECT attempt, started_at, duration_ms, status_code, error, response_excerpt
            FROM webhook_attempts WHERE delivery_id = \(deliveryID) ORDER BY id
            """
        ).map {
            WebhookAttempt(
                attempt: try $0.decode("attempt"), startedAt: try $0.decode("started_at"),
                durationMilliseconds: try $0.decode("duration_ms"), statusCode: try $0.decode("status_code"),
                error: try $0.decode("error"), responseExcerpt: try $0.decode("response_excerpt"))
        }
    }

    /// A new pending delivery of the same event and body, sent again from scratch, in the
    /// trace of the change that caused the event.
    static func redeliver(_ conn: PostgresConnection, webhookID: UUID, deliveryID: UUID, at: Date) throws -> WebhookDelivery {
        guard
            let row = try conn.query(
                """
                INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, article_id, payload, body, redelivery_of,
                                                next_attempt_at, created_at, updated_at, traceparent)
                SELECT webhook_id, event_id, event_type, article_id, payload, body, id, \(at), \(at), \(at), traceparent
                FROM webhook_deliveries WHERE id = \(deliveryID) AND webhook_id = \(webhookID)
                RETURNING \(deliveryColumns)
                """
            ).single
        else {
            throw GalleyError.notFound(kind: "delivery", id: deliveryID.uuidString.lowercased())
        }
        return try delivery(row)
    }

    /// Deletes up to `limit` finished deliveries (succeeded, or failed for good) last changed
    /// before `before`, with their attempts (by the foreign key's cascade); a delivery that a
    /// kept redelivery still points at waits until that redelivery goes. Returns how many
    /// deliveries and attempts.
    static func pruneFinished(_ conn: PostgresConnection, before: Date, limit: Int) throws -> (deliveries: Int, attempts: Int) {
        let row = try conn.query(
            """
            WITH doomed AS (
                SELECT d.id FROM webhook_deliveries d
                WHERE d.status IN ('succeeded', 'failed') AND d.updated_at < \(before)
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries r WHERE r.redelivery_of = d.id)
                ORDER BY d.updated_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ),
            gone AS (DELETE FROM webhook_deliveries d USING doomed WHERE d.id = doomed.id RETURNING d.id)
            SELECT (SELECT count(*) FROM gone) AS deliveries,
                   (SELECT count(*) FROM webhook_attempts a JOIN doomed ON a.delivery_id = doomed.id) AS attempts
            """)[0]
        return (try row.decode("deliveries"), try row.decode("attempts"))
    }
}
