import Crypto
import Foundation
import GalleyCore
import Postgres

/// Requests made with an idempotency key run once. The key is reserved before the request
/// runs (committed on its own, so a concurrent duplicate sees it), and the answer is stored
/// when it ends: the same key and request then replays that answer and changes nothing; a
/// duplicate that arrives while the first still runs waits for its answer a little, then is
/// told to retry; the same key with another request is refused. A request that fails gives
/// its key back. Shared by the API (`Idempotency-Key`) and any other adapter.
public struct IdempotencyService: Sendable {
    let env: GalleyEnvironment

    /// How long a reservation holds a key, unless renewed, before another request for the same
    /// thing may take it over: its request renews it while it runs (`holding`), so only a
    /// server that died mid-request loses it.
    public static let defaultReservationLease: TimeInterval = 60

    public struct StoredResponse: Sendable, Equatable {
        public let status: Int
        public let body: Data
        public init(status: Int, body: Data) {
            self.status = status
            self.body = body
        }
    }

    /// A key held for one request: end it with `complete` or `release`.
    public struct Reservation: Sendable {
        let actorID: UUID
        let key: String
        let id: UUID
    }

    public enum Claim: Sendable {
        /// The key is this request's: run it.
        case reserved(Reservation)
        /// The key's request already ran: answer with what it answered.
        case replay(StoredResponse)
        /// The key's request is still running: retry after that many seconds.
        case inProgress(retryAfterSeconds: Int)
    }

    /// A digest of what the request asked for; two requests are "the same" when equal.
    public static func fingerprint(_ parts: [String], body: Data) -> String {
        var hasher = SHA256()
        for part in parts {
            hasher.update(data: Data(part.utf8))
            hasher.update(data: Data([0]))
        }
        hasher.update(data: body)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Reserves `key` for a request, or says what became of the request that holds it,
    /// waiting up to `patience` for one still running. `validation` when the key was used
    /// for a different request.
    public func claim(actorID: UUID, key: String, fingerprint: String, patience: Duration = .seconds(5)) async throws -> Claim {
        try Self.validate(key)
        let giveUp = ContinuousClock.now + patience
        var pause = Duration.milliseconds(20)
        while true {
            let reservation = Reservation(actorID: actorID, key: key, id: env.newID())
            let now = env.now()
            let reserved = try await env.query(
                IdempotencyStore.reserving(
                    actorID: actorID, key: key, fingerprint: fingerprint, reservation: reservation.id, at: now,
                    expiredBefore: now.addingTimeInterval(-env.idempotencyTTL),
                    abandonedBefore: now.addingTimeInterval(-env.idempotencyLease)))
            if reserved { return .reserved(reservation) }
            // Held by another request; nil when it gave the key back meanwhile: try again.
            if let held = try await env.query(IdempotencyStore.held(actorID: actorID, key: key)) {
                guard held.fingerprint == fingerprint else {
                    throw GalleyError.validation([
                        .init(field: "Idempotency-Key", message: "was already used for a different request; use a new key for a new request")
                    ])
                }
                if let answer = held.answer { return .replay(StoredResponse(status: answer.status, body: answer.body)) }
            }
            guard ContinuousClock.now + pause < giveUp else { return .inProgress(retryAfterSeconds: 1) }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(250))
        }
    }

    /// Runs `work`, the reserved request, renewing its reservation every third of the lease
    /// so that a request that runs long (a large batch, a wait on a lock) keeps its key; only
    /// a server that died stops renewing.
    public func holding<Result: Sendable>(_ reservation: Reservation, _ work: () async throws -> Result) async throws -> Result {
        let renewal = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(env.idempotencyLease / 3))
                // A renewal that fails (a busy pool, a dropped connection) is tried again at the
                // next turn, which the lease leaves room for; only the end of the work stops them.
                _ = try? await env.query(
                    IdempotencyStore.renewing(actorID: reservation.actorID, key: reservation.key, reservation: reservation.id, at: env.now()))
            }
        }
        defer { renewal.cancel() }
        return try await work()
    }

    /// Stores the answer of a reserved request, for its duplicates to replay.
    public func complete(_ reservation: Reservation, with response: StoredResponse) async throws {
        let answering = IdempotencyStore.answering(
            actorID: reservation.actorID, key: reservation.key, reservation: reservation.id, status: response.status, body: response.body)
        try await uncancelled { try await env.query(answering) }
    }

    /// Gives the key of a failed request back, so that a retry runs. Best effort: a key it
    /// cannot give back is taken over when its reservation runs out.
    public func release(_ reservation: Reservation) async {
        let releasing = IdempotencyStore.releasing(actorID: reservation.actorID, key: reservation.key, reservation: reservation.id)
        try? await uncancelled { try await env.query(releasing) }
    }

    /// Runs `work` to its end even when the request's task was cancelled (its client left):
    /// what it records decides whether the request's work is done twice.
    private func uncancelled(_ work: @escaping @Sendable () async throws -> Void) async throws {
        try await Task { try await work() }.value
    }

    static func validate(_ key: String) throws(GalleyError) {
        if key.isEmpty || key.utf8.count > 255 {
            throw .validation([.init(field: "Idempotency-Key", message: "must be 1 to 255 characters")])
        }
    }
}

extension GalleyServices {
    public var idempotency: IdempotencyService { IdempotencyService(env: environment) }
}
