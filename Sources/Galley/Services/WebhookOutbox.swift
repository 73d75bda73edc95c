import Foundation
import GalleyCore
import Postgres

/// The dispatcher's side of the outbox: claim due deliveries, fix their bodies, record each
/// attempt. Not an API for callers; `galley serve` runs it as the system.
public struct WebhookOutbox: Sendable {
    let env: GalleyEnvironment

    /// A delivery this dispatcher holds until `lease` runs out.
    public struct Claimed: Sendable {
        public let id: UUID
        public let webhookID: UUID
        public let url: String
        public let secret: String
        public let eventType: String
        public let articleID: UUID?
        public let payload: JSONValue
        public let body: String?
        /// This attempt's number, 1 for the first.
        public let attempt: Int
        public let eventAt: Date
    }

    /// How much of a receiver's answer is read and kept.
    public static let excerptBytes = 1024

    /// What one HTTP attempt came to. Its texts come from outside (a receiver's answer, an
    /// error of the network) and are kept storable: no NUL, which PostgreSQL text refuses.
    public struct Outcome: Sendable {
        public var startedAt: Date
        public var durationMilliseconds: Int
        public var statusCode: Int?
        public var error: String? { didSet { error = error.map(Self.storable) } }
        public var responseExcerpt: String? { didSet { responseExcerpt = responseExcerpt.map(Self.storable) } }
        public var succeeded: Bool { error == nil && (statusCode.map { (200..<300).contains($0) } ?? false) }

        public init(startedAt: Date, durationMilliseconds: Int, statusCode: Int?, error: String?, responseExcerpt: String?) {
            self.startedAt = startedAt
            self.durationMilliseconds = durationMilliseconds
            self.statusCode = statusCode
            self.error = error.map(Self.storable)
            self.responseExcerpt = responseExcerpt.map(Self.storable)
        }

        /// The text with each NUL replaced by U+FFFD (Swift strings are valid UTF-8 already).
        static func storable(_ text: String) -> String {
            guard text.utf8.contains(0) else { return text }
            return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : $0 }))
        }
    }

    /// Claims up to `limit` due deliveries of active webhooks. `SKIP LOCKED` lets several
    /// dispatchers claim at once without waiting for or doubling each other; a delivery whose
    /// webhook has an earlier undelivered event about the same article waits for it.
    public func claim(limit: Int, lease: TimeInterval) async throws -> [Claimed] {
        let now = env.now()
        let leaseUntil = now.addingTimeInterval(lease)
        return try await env.transaction(recordsEvents: false) { conn in
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
                          d.created_at, d.seq
                """
            ).map { row in
                Claimed(
                    id: try row.decode("id"), webhookID: try row.decode("webhook_id"), url: try row.decode("url"),
                    secret: try row.decode("secret"), eventType: try row.decode("event_type"), articleID: try row.decode("article_id"),
                    payload: try row.decode("payload"), body: try row.decode("body"), attempt: try row.decode("attempts"),
                    eventAt: try row.decode("created_at"))
            }.sorted { $0.eventAt < $1.eventAt }
        }
    }

    /// The article as it is now, for the body of a delivery; nil when it no longer exists.
    public func article(_ id: UUID) async throws -> ArticleDetail? {
        try await env.read { conn in
            do {
                return try ArticleDetail.load(conn, id: id)
            } catch GalleyError.notFound {
                return nil
            }
        }
    }

    /// Stores the bodies of deliveries' first attempts and returns the stored ones, so that
    /// every attempt (and a redelivery) sends the same bytes.
    public func fix(bodies: [(id: UUID, body: String)]) async throws -> [UUID: String] {
        if bodies.isEmpty { return [:] }
        let ids = bodies.map { $0.id.uuidString }
        let texts = bodies.map(\.body)
        return try await env.read { conn in
            try conn.query(
                """
                UPDATE webhook_deliveries d SET body = COALESCE(d.body, b.body)
                FROM unnest(\(ids)::uuid[], \(texts)::text[]) AS b(id, body)
                WHERE d.id = b.id
                RETURNING d.id, d.body
                """
            ).reduce(into: [:]) { stored, row in stored[try row.decode("id", as: UUID.self)] = try row.decode("body", as: String.self) }
        }
    }

    /// Logs successful attempts and marks their deliveries succeeded, all in one statement;
    /// when that fails, each on its own, so that one the database refuses does not keep the
    /// others from being recorded. Returns those that could not be recorded (their leases run
    /// out and they are sent again).
    public func recordSuccesses(_ successes: [(Claimed, Outcome)]) async -> [(Claimed, any Error)] {
        do {
            try await recordTogether(successes)
            return []
        } catch where successes.count > 1 {
            var unrecorded: [(Claimed, any Error)] = []
            for success in successes {
                do { try await recordTogether([success]) } catch { unrecorded.append((success.0, error)) }
            }
            return unrecorded
        } catch {
            return successes.map { ($0.0, error) }
        }
    }

    /// Successes in one statement; clears the failure count of their webhooks where there is
    /// one to clear (so that concurrent successes do not queue on the webhook's row). As in
    /// `recordFailure`, only the holder of an attempt moves its delivery on.
    private func recordTogether(_ successes: [(Claimed, Outcome)]) async throws {
        if successes.isEmpty { return }
        let now = env.now()
        let ids = successes.map { $0.0.id.uuidString }
        let attempts = successes.map { String($0.0.attempt) }
        let started = successes.map { RFC3339.format($0.1.startedAt) }
        let durations = successes.map { String($0.1.durationMilliseconds) }
        let statuses = successes.map { String($0.1.statusCode ?? 200) }
        let excerpts = successes.map { $0.1.responseExcerpt ?? "" }
        _ = try await env.read { conn in
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
    }

    /// Logs a failed attempt and moves the delivery on: pending again after a backoff, or
    /// failed. Counts the webhook's consecutive failures and pauses it at `policy.pauseAfter`.
    /// Returns true when this failure paused the webhook. (Successes: `recordSuccesses`.)
    @discardableResult
    public func recordFailure(_ outcome: Outcome, for claimed: Claimed, policy: WebhookRetryPolicy) async throws -> Bool {
        let now = env.now()
        let next = policy.nextAttempt(after: claimed.attempt, eventAt: claimed.eventAt, now: now)
        let status = next == nil ? "failed" : "pending"
        let error = outcome.error ?? outcome.statusCode.map { "the receiver answered \($0)" }
        return try await env.transaction(recordsEvents: false) { conn in
            // The webhook may have been deleted meanwhile; then there is nothing left to move on.
            // Only the holder of this attempt moves the delivery on.
            let (_, moved) = try conn.read(
                StoreRead(
                    sql: """
                        INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
                        SELECT id, \(claimed.attempt), \(outcome.startedAt), \(outcome.durationMilliseconds), \(outcome.statusCode),
                               \(error), \(outcome.responseExcerpt)
                        FROM webhook_deliveries WHERE id = \(claimed.id)
                        """
                ) { _ in },
                StoreRead(
                    sql: """
                        UPDATE webhook_deliveries
                        SET status = \(status), next_attempt_at = COALESCE(\(next), next_attempt_at), lease_until = NULL,
                            last_status = \(outcome.statusCode), last_error = \(error), response_excerpt = \(outcome.responseExcerpt),
                            updated_at = \(now)
                        WHERE id = \(claimed.id) AND status = 'delivering' AND attempts = \(claimed.attempt)
                        """
                ) { rows in rows.affectedRows == 1 })
            guard moved else { return false }
            let reason = "paused after \(policy.pauseAfter) consecutive failed attempts"
            return try conn.query(
                """
                UPDATE webhooks SET consecutive_failures = consecutive_failures + 1,
                    status = CASE WHEN consecutive_failures + 1 >= \(policy.pauseAfter) THEN 'paused' ELSE status END,
                    paused_reason = CASE WHEN consecutive_failures + 1 >= \(policy.pauseAfter) AND status = 'active'
                                         THEN \(reason) ELSE paused_reason END,
                    updated_at = \(now)
                WHERE id = \(claimed.webhookID)
                RETURNING status = 'paused' AND consecutive_failures = \(policy.pauseAfter) AS paused_now
                """
            ).single?.decode("paused_now") ?? false
        }
    }
}
