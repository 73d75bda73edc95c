import Foundation
import Postgres
import Synchronization

/// When each token was last used (`tokens.last_used_at`), kept to the minute without a
/// write on any request's way: a server notes each use in memory, writes a token's use at
/// most once a minute, and sends the writes from a task of their own, several tokens in one
/// statement. A write that fails is lost, not retried: the next use a minute on writes again.
public final class TokenUse: Sendable {
    /// The least time between two writes of one token's use by one server.
    static let interval: TimeInterval = 60
    /// Past this many tokens noted, those not used within `interval` are forgotten.
    private static let remembered = 10_000

    private struct State {
        var written: [Data: Date] = [:]
        var due: [Data: Date] = [:]
        var flushing: Task<Void, Never>?
    }

    private let pool: PostgresPool
    private let state = Mutex(State())

    init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Notes that the token with this hash was used at `now`; returns at once.
    func used(_ hash: Data, at now: Date) {
        state.withLock { state in
            if let last = state.written[hash], abs(now.timeIntervalSince(last)) < Self.interval { return }
            if state.written.count >= Self.remembered {
                state.written = state.written.filter { abs(now.timeIntervalSince($0.value)) < Self.interval }
            }
            state.written[hash] = now
            state.due[hash] = now
            if state.flushing == nil { state.flushing = Task { await self.flush() } }
        }
    }

    /// Waits until every use noted so far has been sent.
    public func settled() async {
        while let flushing = state.withLock({ $0.flushing }) { await flushing.value }
    }

    private func flush() async {
        while true {
            let due = state.withLock { state -> [(hash: Data, at: Date)] in
                let due = state.due.map { (hash: $0.key, at: $0.value) }
                state.due = [:]
                if due.isEmpty { state.flushing = nil }
                return due
            }
            if due.isEmpty { return }
            _ = try? await pool.execute(ActorStore.recordUse(due))
        }
    }
}
