import Logging
import ServiceContextModule
import Synchronization

/// Settings of a `PostgresPool`.
public struct PostgresConfiguration: Sendable {
    /// A libpq URL or key=value string; empty means libpq's `PG*` environment variables.
    public var connectionString: String
    /// The most connections the pool opens.
    public var maxConnections: Int
    /// How long a caller waits for a free connection before `PostgresError.Kind.poolTimeout`.
    public var acquireTimeout: Duration
    /// Sessions, beyond `maxConnections`, that quick reads share (`quickRead`); with none
    /// (the default, right for a short-lived process) quick reads use the pool's sessions.
    public var sharedSessions: Int
    /// False behind a pooler that moves a client between server sessions at each
    /// transaction (PgBouncer in transaction mode): statements go unnamed, never prepared,
    /// and there are no shared sessions (their pipelines span several transactions).
    public var preparesStatements: Bool
    /// Told of every round trip and every wait for a connection (metrics, traces); nil for none.
    public var observer: (any PostgresObserver)?

    public init(
        connectionString: String = "", maxConnections: Int = 10, acquireTimeout: Duration = .seconds(10), sharedSessions: Int = 0,
        preparesStatements: Bool = true, observer: (any PostgresObserver)? = nil
    ) {
        self.connectionString = connectionString
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
        self.preparesStatements = preparesStatements
        self.sharedSessions = preparesStatements ? max(0, sharedSessions) : 0
        self.observer = observer
    }
}

/// A bounded pool of connections, each used on a thread of its own.
///
///     let title = try await pool.withConnection { conn in
///         try conn.query("SELECT title FROM articles WHERE id = \(id)").single?.decode("title", as: String.self)
///     }
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    private let workers: [ConnectionWorker]
    private let shared: [SharedSession]
    private let nextShared = Atomic(0)
    private let loop: EventLoop
    private let state: Mutex<State>

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<ConnectionWorker, any Error>
        let deadline: ContinuousClock.Instant
    }

    private struct State {
        var free: [ConnectionWorker]
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
        /// Whether a task is watching the waiters' deadlines: one, and only while some wait.
        var watching = false
    }

    public init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        let workers = (0..<configuration.maxConnections).map {
            ConnectionWorker(
                slot: $0, connectionString: configuration.connectionString, preparesStatements: configuration.preparesStatements,
                observer: configuration.observer
            )
        }
        self.workers = workers
        let shared = (0..<configuration.sharedSessions).map {
            SharedSession(slot: workers.count + $0, connectionString: configuration.connectionString, observer: configuration.observer)
        }
        self.shared = shared
        self.loop = EventLoop(workers: workers + shared)
        // Popped from the end: slot 0 first, so a lightly used pool keeps few sessions open.
        self.state = Mutex(State(free: workers.reversed()))
    }

    /// Runs `body` with a connection on that connection's own thread.
    public func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        let worker = try await lease()
        defer { release(worker) }
        guard configuration.observer != nil else { return try await worker.run(body) }
        // The body runs on the connection's thread, where the task's values are unknown: the
        // observer sees its round trips under the calling task's trace.
        let context = ServiceContext.current
        return try await worker.run { connection in try ServiceContext.withValue(context) { try body(connection) } }
    }

    /// Runs one statement and returns its rows.
    ///
    /// The statement is sent without blocking and the pool's event loop collects the answer,
    /// which is cheaper than running `withConnection` on the connection's thread.
    public func query(_ sql: SQL) async throws -> PostgresRows {
        let worker = try await lease()
        defer { release(worker) }
        if let rows = try await worker.send(sql, loop: loop) { return rows }
        // The session must be opened first, which blocks.
        return try await worker.run { try $0.query(sql) }
    }

    /// Runs one quick read on a session shared with other tasks' quick reads, pipelined with
    /// theirs (`SharedSession`): cheaper for the database than a session per statement.
    /// Only for a single statement that cannot wait on a lock or run long (index probes):
    /// statements queued behind it on its session wait for it. While no shared session is
    /// open, the statement runs as `query` does.
    public func quickRead(_ sql: SQL) async throws -> PostgresRows {
        if !shared.isEmpty {
            let session = shared[nextShared.wrappingAdd(1, ordering: .relaxed).oldValue % shared.count]
            if let rows = try await session.send(sql, loop: loop) { return rows }
        }
        return try await query(sql)
    }

    /// Runs one statement and returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await query(sql).affectedRows
    }

    /// The pool's size and how much of it is in use, for metrics.
    public var usage: (size: Int, inUse: Int, waiting: Int) {
        state.withLock { (workers.count, workers.count - $0.free.count, $0.waiters.count) }
    }

    /// Fails every waiter and closes every connection.
    public func close() async {
        let waiters = state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError.poolClosed)
        }
        for worker in workers { await worker.close() }
        for session in shared { session.close() }
        loop.stop()
    }

    deinit {
        // Without close(): let the threads end; the sessions close as the workers go away.
        for worker in workers { worker.stopThread() }
        for session in shared { session.stopThread() }
        loop.stop()
    }

    private func lease() async throws -> ConnectionWorker {
        guard let observer = configuration.observer else { return try await waitForLease() }
        let started = ContinuousClock.now
        let worker = try await waitForLease()
        observer.waitedForConnection(ContinuousClock.now - started)
        return worker
    }

    private func waitForLease() async throws -> ConnectionWorker {
        enum Lease {
            case ready(ConnectionWorker)
            case closed
            case wait(watch: Bool)
        }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ConnectionWorker, any Error>) in
                let lease = state.withLock { state -> Lease in
                    if state.closed { return .closed }
                    if let worker = state.free.popLast() { return .ready(worker) }
                    state.waiters.append(Waiter(id: id, continuation: continuation, deadline: .now + configuration.acquireTimeout))
                    defer { state.watching = true }
                    return .wait(watch: !state.watching)
                }
                switch lease {
                case .ready(let worker):
                    continuation.resume(returning: worker)
                case .closed:
                    continuation.resume(throwing: PostgresError.poolClosed)
                case .wait(let watch):
                    if watch { watchDeadlines() }
                }
            }
        } onCancel: {
            abandon(waiter: id, with: CancellationError())
        }
    }

    private func abandon(waiter id: UInt64, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Fails waiters whose time is up, sleeping until the oldest one's deadline, while any
    /// wait. Every waiter has the same timeout, so the first is always the next to expire.
    /// One task for all of them: a timer task per waiter would keep its sleep queued until
    /// its deadline even when cancelled, and memory grows with the waiters under load.
    private func watchDeadlines() {
        Task { [weak self] in
            while let deadline = self?.nextDeadline() {
                try? await Task.sleep(until: deadline)
                self?.expireWaiters()
            }
        }
    }

    /// The oldest waiter's deadline; nil, and no one watching, when none waits.
    private func nextDeadline() -> ContinuousClock.Instant? {
        state.withLock { state in
            guard let first = state.waiters.first else {
                state.watching = false
                return nil
            }
            return first.deadline
        }
    }

    private func expireWaiters() {
        let now = ContinuousClock.now
        let expired = state.withLock { state -> [Waiter] in
            let expired = state.waiters.filter { $0.deadline <= now }
            if !expired.isEmpty { state.waiters.removeAll { $0.deadline <= now } }
            return expired
        }
        let timeout = PostgresError(
            kind: .poolTimeout,
            message: "no database connection became free within \(configuration.acquireTimeout) (all \(workers.count) in use); "
                + "raise the pool size or look for slow queries")
        for waiter in expired { waiter.continuation.resume(throwing: timeout) }
    }

    private func release(_ worker: ConnectionWorker) {
        let waiter = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.free.append(worker)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: worker)
    }
}
