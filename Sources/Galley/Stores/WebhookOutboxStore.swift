import Foundation
import GalleyCore
import Postgres

/// SQL for the dispatcher's side of the outbox (`WebhookOutbox`): claiming due deliveries,
/// fixing their bodies, logging attempts and moving deliveries and webhooks on.
enum WebhookOutboxStore {
    /// Claims up to `limit` due deliveries of active webhooks until `leaseUntil`. `SKIP LOCKED`
    /// lets several dispatchers claim at once without waiting for or doubling each other; a
    /// delivery whose webhook has an earlier undelivered event about the same article waits
    /// for it.
    static func claim(_ conn: PostgresConnection, limit: Int, leaseUntil: Date, at now: Date) throws -> [WebhookOutbox.Claimed] {
        try conn.query(
            """
            WITH due AS (
                SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE w.status = 'active'
                  AND ((d.status = 'pending' AND d.next_attempt_at <= \(now))
                       OR (d.status = 'delivering' AND d.lease_until < \(now)))
                  AND NOT EXISTS (
                      SELECT 1 FROM webhook_deliveries e
                      WHERE e.webhook_id = d.webhook_id AND e.article_id = d.article_id AND e.seq < d.seq
                        AND e.status IN ('pending', 'delivering'))
                ORDER BY d.seq LIMIT \(limit)
                FOR UPDATE OF d SKIP LOCKED
            )
            UPDATE webhook_deliveries d
            SET status = 'delivering', attempts = d.attempts + 1, lease_until = \(leaseUntil), updated_at = \(now)
            FROM due, webhooks w
            WHERE d.id = due.id AND w.id = d.webhook_id
            RETURNING d.id, d.webhook_id, w.url, w.secret, d.event_type, d.article_id, d.payload, d.body, d.attempts,
                      d.created_at, d.seq, d.traceparent
            """
        ).map { row in
            WebhookOutbox.Claimed(
                id: try row.decode("id"), webhookID: try row.decode("webhook_id"), url: try row.decode("url"),
                secret: try row.decode("secret"), eventType: try row.decode("event_type"), articleID: try row.decode("article_id"),
                payload: try row.decode("payload"), body: try row.decode("body"), attempt: try row.decode("attempts"),
                eventAt: try row.decode("created_at"), traceparent: try row.decode("traceparent"))
        }
    }

    /// Stores each body where its delivery has none yet; returns the stored bodies.
    static func fix(_ conn: PostgresConnection, bodies: [(id: UUID, body: String)]) throws -> [UUID: String] {
        let ids = bodies.map { $0.id.uuidString }
        let texts = bodies.map(\.body)
        return try conn.query(
            """
            UPDATE webhook_deliveries d SET body = COALESCE(d.body, b.body)
            FROM unnest(\(ids)::uuid[], \(texts)::text[]) AS b(id, body)
            WHERE d.id = b.id
            RETURNING d.id, d.body
            """
        ).reduce(into: [:]) { stored, row in stored[try row.decode("id", as: UUID.self)] = try row.decode("body", as: String.self) }
    }

    /// Logs successful attempts and marks their deliveries succeeded in one statement; clears
    /// the failure count of their webhooks where there is one to clear (so that concurrent
    /// successes do not queue on the webhook's row). Only the holder of an attempt moves its
    /// delivery on.
    static func recordSuccesses(
        _ conn: PostgresConnection, _ successes: [(WebhookOutbox.Claimed, WebhookOutbox.Outcome)], at now: Date
    ) throws {
        let ids = successes.map { $0.0.id.uuidString }
        let attempts = successes.map { String($0.0.attempt) }
        let started = successes.map { RFC3339.format($0.1.startedAt) }
        let durations = successes.map { String($0.1.durationMilliseconds) }
        let statuses = successes.map { String($0.1.statusCode ?? 200) }
        let excerpts = successes.map { $0.1.responseExcerpt ?? "" }
        try conn.execute(
            """
            WITH done AS (
                SELECT * FROM unnest(\(ids)::uuid[], \(attempts)::int[], \(started)::timestamptz[], \(durations)::int[],
                                     \(statuses)::int[], \(excerpts)::text[])
                    AS done(id, attempt, started_at, duration_ms, status_code, excerpt)
            ),
            logged AS (
                INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
                SELECT d.id, done.attempt, done.started_at, done.duration_ms, done.status_code, NULL, done.excerpt
                FROM done JOIN webhook_deliveries d ON d.id = done.id
            ),
            moved AS (
                UPDATE webhook_deliveries d
                SET status = 'succeeded', lease_until = NULL, last_status = done.status_code, last_error = NULL,
                    response_excerpt = done.excerpt, updated_at = \(now)
                FROM done WHERE d.id = done.id AND d.status = 'delivering' AND d.attempts = done.attempt
                RETURNING d.webhook_id
            )
            UPDATE webhooks SET consecutive_failures = 0
            WHERE id IN (SELECT webhook_id FROM moved) AND consecutive_failures > 0
            """)
    }

    /// Logs a failed attempt, if its delivery still exists (its webhook may have been deleted).
    static func loggingFailure(_ outcome: WebhookOutbox.Outcome, error: String?, of claimed: WebhookOutbox.Claimed) -> StoreRead<Void> {
        StoreRead(
            sql: """
                INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
                SELECT id, \(claimed.attempt), \(outcome.startedAt), \(outcome.durationMilliseconds), \(outcome.statusCode),
                       \(error), \(outcome.responseExcerpt)
                FROM webhook_deliveries WHERE id = \(claimed.id)
                """
        ) { _ in }
    }

    /// Moves a delivery on after a failed attempt: to `status`, next tried at `next` if given.
    /// Only the holder of this attempt moves it; true when it did.
    static func movingOn(
        _ claimed: WebhookOutbox.Claimed, after outcome: WebhookOutbox.Outcome, error: String?, status: String, next: Date?, at now: Date
    ) -> StoreRead<Bool> {
        StoreRead(
            sql: """
                UPDATE webhook_deliveries
                SET status = \(status), next_attempt_at = COALESCE(\(next), next_attempt_at), lease_until = NULL,
                    last_status = \(outcome.statusCode), last_error = \(error), response_excerpt = \(outcome.responseExcerpt),
                    updated_at = \(now)
                WHERE id = \(claimed.id) AND status = 'delivering' AND attempts = \(claimed.attempt)
                """
        ) { rows in rows.affectedRows == 1 }
    }

    /// Counts one more consecutive failure of a webhook and pauses it, with `reason`, at
    /// `pauseAfter`. True when this failure paused it.
    static func countFailure(_ conn: PostgresConnection, webhookID: UUID, pauseAfter: Int, reason: String, at now: Date) throws -> Bool {
        try conn.query(
            """
            UPDATE webhooks SET consecutive_failures = consecutive_failures + 1,
                status = CASE WHEN consecutive_failures + 1 >= \(pauseAfter) THEN 'paused' ELSE status END,
                paused_reason = CASE WHEN consecutive_failures + 1 >= \(pauseAfter) AND status = 'active'
                                     THEN \(reason) ELSE paused_reason END,
                updated_at = \(now)
            WHERE id = \(webhookID)
            RETURNING status = 'paused' AND consecutive_failures = \(pauseAfter) AS paused_now
            """
        ).single?.decode("paused_now") ?? false
    }
}
