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
        /// The W3C `traceparent` of the change that caused the event, when it was traced: each
        /// attempt's span joins that trace.
        public let traceparent: String?
    }

    /// How much of a receiver's answer is read and kept.
    public static let excerptBytes = 1024

    /// What one HTTP attempt came to. Its texts come from outside (a receiver's answer, an
    /// error of the network) and are kept storable: no NUL, which the database refuses in text.
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

    /// Claims up to `limit` due deliveries of active webhooks, each held for `lease`, oldest
    /// event first; several dispatchers claim at once without doubling each other.
    public func claim(limit: Int, lease: TimeInterval) async throws -> [Claimed] {
        let now = env.now()
        let leaseUntil = now.addingTimeInterval(lease)
        return try await env.transaction(recordsEvents: false) { conn in
            try WebhookOutboxStore.claim(conn, limit: limit, leaseUntil: leaseUntil, at: now)
        }.sorted { $0.eventAt < $1.eventAt }
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
        return try await env.read { conn in try WebhookOutboxStore.fix(conn, bodies: bodies) }
    }

    /// Logs successful attempts and marks their deliveries succeeded, all in one statement;
    /// when that fails, each on its own, so that one the database refuses does not keep the
    /// others from being recorded. Returns those that could not be recorded (their leases run
    /// out and they are sent again).
    public func recordSuccesses(_ successes: [(Claimed, Outcome)]) async -> [(Claimed, any Error)] {
        do {
            try await recordTogether(successes)
            return []
        } catch  where successes.count > 1 {
            var unrecorded: [(Claimed, any Error)] = []
            for success in successes {
                do { try await recordTogether([success]) } catch { unrecorded.append((success.0, error)) }
            }
            return unrecorded
        } catch {
            return successes.map { ($0.0, error) }
        }
    }

    /// Successes in one statement (`WebhookOutboxStore.recordSuccesses`).
    private func recordTogether(_ successes: [(Claimed, Outcome)]) async throws {
        if successes.isEmpty { return }
        let now = env.now()
        try await env.read { conn in try WebhookOutboxStore.recordSuccesses(conn, successes, at: now) }
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
            let (_, moved) = try conn.read(
                WebhookOutboxStore.loggingFailure(outcome, error: error, of: claimed),
                WebhookOutboxStore.movingOn(claimed, after: outcome, error: error, status: status, next: next, at: now))
            guard moved else { return false }
            return try WebhookOutboxStore.countFailure(
                conn, webhookID: claimed.webhookID, pauseAfter: policy.pauseAfter,
                reason: "paused after \(policy.pauseAfter) consecutive failed attempts", at: now)
        }
    }
}
