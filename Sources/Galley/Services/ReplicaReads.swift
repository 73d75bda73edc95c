import Foundation
import Postgres
import Synchronization

/// Where reads that may trail the newest commit go: a streaming replica
/// (`GALLEY_DATABASE_READ_URL`) while it answers, else the primary. A caller that wrote
/// through this server within `readYourWrites` reads from the primary, so it sees its own
/// change; a replica that fails is left alone for `restAfterFailure`, its reads served by
/// the primary meanwhile (docs/operations.md, "Read replicas").
public final class ReplicaReads: Sendable {
    let pool: PostgresPool
    let readYourWrites: Duration
    static let restAfterFailure: Duration = .seconds(5)
    /// Writers remembered at most; beyond it, those whose window has passed are forgotten.
    private static let writersKept = 10_000

    private struct State {
        var writers: [UUID: ContinuousClock.Instant] = [:]
        var restingUntil: ContinuousClock.Instant?
        var fromReplica = 0
        var fromPrimary = 0
    }

    private let state = Mutex(State())

    public init(pool: PostgresPool, readYourWrites: Duration) {
        self.pool = pool
        self.readYourWrites = readYourWrites
    }

    /// Records that `actorID` sent a request that may have written: its reads go to the
    /// primary until `readYourWrites` has passed.
    public func wrote(_ actorID: UUID?) {
        guard let actorID else { return }
        let now = ContinuousClock.now
        state.withLock { state in
            if state.writers.count >= Self.writersKept { state.writers = state.writers.filter { $0.value > now } }
            state.writers[actorID] = now + readYourWrites
        }
    }

    /// Runs `body` on the replica's pool when it may serve `actorID` (nil: anyone), else on
    /// `primary`; a replica that cannot answer hands the read to `primary`.
    func run<Result>(for actorID: UUID?, primary: PostgresPool, _ body: (PostgresPool) async throws -> Result) async throws -> Result {
        guard useReplica(for: actorID) else { return try await fromPrimary(primary, body) }
        do {
            let result = try await body(pool)
            state.withLock { $0.fromReplica += 1 }
            return result
        } catch let error as PostgresError where Self.isReplicaTrouble(error) {
            if error.sqlState != SQLState.serializationFailure {
                state.withLock { $0.restingUntil = .now + Self.restAfterFailure }
            }
            return try await fromPrimary(primary, body)
        }
    }

    private func fromPrimary<Result>(_ primary: PostgresPool, _ body: (PostgresPool) async throws -> Result) async throws -> Result {
        let result = try await body(primary)
        state.withLock { $0.fromPrimary += 1 }
        return result
    }

    /// Reads served by the replica and by the primary (in its stead) so far.
    public var served: (replica: Int, primary: Int) {
        state.withLock { ($0.fromReplica, $0.fromPrimary) }
    }

    private func useReplica(for actorID: UUID?) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            let resting = state.restingUntil.map { now < $0 } ?? false
            let wrote = actorID.flatMap { state.writers[$0] }.map { now < $0 } ?? false
            return !resting && !wrote
        }
    }

    /// Failures that another server answers: the replica unreachable or shutting down, or
    /// a read cancelled because replay had to remove rows it needed (a standby's
    /// serialization failure).
    /// admin_shutdown, crash_shutdown, cannot_connect_now.
    private static let shuttingDown: Set<String> = ["57P01", "57P02", "57P03"]

    private static func isReplicaTrouble(_ error: PostgresError) -> Bool {
        switch error.kind {
        case .connection, .poolTimeout, .protocolViolation: return true
        case .server:
            return error.sqlState == SQLState.serializationFailure || shuttingDown.contains(error.sqlState ?? "")
        default: return false
        }
    }
}

extension ReplicaReads {
    public struct Replay: Sendable {
        /// False when the read URL led to a primary (`prefer-standby` found no standby).
        public let isStandby: Bool
        /// Seconds since the newest replayed commit, while WAL received waits to be replayed.
        public let lagSeconds: Double
    }

    /// The replica's replay now; nil when it does not answer.
    public func replay() async -> Replay? {
        try? await ReplicaStore.replay.decode(try await pool.query(ReplicaStore.replay.sql))
    }
}
