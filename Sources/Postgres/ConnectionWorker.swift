import CLibPQ
import Dispatch
import Foundation
import Synchronization

/// One pool slot: a session, and a thread of its own for the calls that block.
///
/// Whoever holds the slot's lease uses the session, in one of two ways:
/// - `run` runs a closure of blocking calls on the slot's thread, never on one of Swift's
///   cooperative threads, so a slow query never starves other tasks;
/// - `send` sends a single statement without blocking and lets the pool's `EventLoop` wait for
///   the answer, which saves the two thread hand-offs per statement that `run` costs.
///
/// The session is opened lazily (on the slot's thread) and reopened when it is found broken,
/// so a slot heals itself after a server restart.
final class ConnectionWorker: EventLoopSlot {
    let slot: Int
    private let connectionString: String
    private let preparesStatements: Bool
    private let observer: (any PostgresObserver)?
    /// Only the lease holder touches the session, so this lock is never contended; it makes
    /// that exclusivity provable to the compiler as the session moves between threads.
    private let session = Mutex(Session())
    private let thread: WorkerThread

    private struct Session {
        var connection: PostgresConnection?
        var pending: Pending?
    }

    /// A statement sent by `send` whose answer the event loop is collecting.
    private struct Pending {
        let continuation: CheckedContinuation<PostgresRows?, any Error>
        let statement: String
        var outcome: Result<PostgresRows, any Error>?
    }

    init(slot: Int, connectionString: String, preparesStatements: Bool = true, observer: (any PostgresObserver)? = nil) {
        self.slot = slot
        self.connectionString = connectionString
        self.preparesStatements = preparesStatements
        self.observer = observer
        self.thread = WorkerThread(name: "galley.pg.\(slot)")
    }

    /// Runs `body` on this slot's thread with a usable connection. When the calling task is
    /// cancelled (a server shutting down past its grace period), the server is asked to
    /// cancel the statement `body` is waiting on, so the body fails and its transaction rolls
    /// back instead of holding the thread, a connection and its locks; the session is then
    /// dropped, so a late cancel request cannot reach the next lease's statement.
    func run<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        let run = cancellation.withLock { state -> UInt64 in
            state.lastRun &+= 1
            return state.lastRun
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                thread.submit {
                    continuation.resume(
                        with: Swift.Result {
                            try self.session.withLock { session -> Result in
                                let live = try self.usable(&session.connection)
                                try self.begin(run, on: live)
                                defer {
                                    if self.end(run) { session.connection = nil } else { Self.settle(&session.connection) }
                                }
                                return try body(live)
                            }
                        })
                }
            }
        } onCancel: {
            self.cancel(run)
        }
    }

    /// Which run of `run` holds the session, and whether its task was cancelled.
    private struct Cancellation {
        var lastRun: UInt64 = 0
        var running: UInt64?
        var cancelled: UInt64?
        var canceller: StatementCanceller?
        var cancellerOwner: ObjectIdentifier?
    }

    private let cancellation = Mutex(Cancellation())

    private func begin(_ run: UInt64, on connection: PostgresConnection) throws {
        try cancellation.withLock { state in
            if state.cancelled == run { throw CancellationError() }
            if state.cancellerOwner != ObjectIdentifier(connection) {
                state.canceller = StatementCanceller(connection)
                state.cancellerOwner = ObjectIdentifier(connection)
            }
            state.running = run
        }
    }

    /// True when the run was cancelled while it held the session.
    private func end(_ run: UInt64) -> Bool {
        cancellation.withLock { state in
            state.running = nil
            return state.cancelled == run
        }
    }

    private func cancel(_ run: UInt64) {
        let canceller = cancellation.withLock { state -> StatementCanceller? in
            state.cancelled = run
            return state.running == run ? state.canceller : nil
        }
        canceller?.cancelRunningStatement()
    }

    /// Sends `sql` without blocking and waits, off every thread, for `loop` to collect the
    /// answer. Returns nil without sending when the session must first be (re)opened or the
    /// statement prepared, which block, or its result is wanted in binary: the caller then
    /// uses `run`.
    func send(_ sql: SQL, loop: EventLoop) async throws -> PostgresRows? {
        if sql.binaryResults { return nil }
        let key = PreparedStatements.Key(sql)
        return try await observedSend(observer, key.text) { try await send(sql, key: key, loop: loop) }
    }

    private func send(_ sql: SQL, key: PreparedStatements.Key, loop: EventLoop) async throws -> PostgresRows? {
        let statement = key.text
        let rows = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresRows?, any Error>) in
            enum Sent {
                case notOpen
                case failed(any Error)
                case armed(socket: Int32, writable: Bool)
            }
            let sent = session.withLock { session -> Sent in
                guard let connection = session.connection, connection.isUsable else { return .notOpen }
                let name = connection.prepared.name(for: key)
                if name == nil && connection.preparesStatements { return .notOpen }
                do {
                    let (socket, writable) = try connection.sendWithoutBlocking(prepared: name, statement, parameters: sql.parameters)
                    session.pending = Pending(continuation: continuation, statement: statement)
                    return .armed(socket: socket, writable: writable)
                } catch {
                    return .failed(error)
                }
            }
            switch sent {
            case .notOpen:
                continuation.resume(returning: nil)
            case .failed(let error):
                continuation.resume(throwing: error)
            case .armed(let socket, let writable):
                do {
                    try loop.arm(slot: slot, socket: socket, writable: writable)
                } catch {
                    fail(with: error)
                }
            }
        }
        // A statement such as BEGIN leaves the session in a transaction; end it on the thread.
        if rows != nil, session.withLock({ $0.connection?.transactionStatus ?? .idle }) != .idle {
            await settle()
        }
        return rows
    }

    /// Called by the event loop when the socket of a pending statement is ready: reads what
    /// has arrived and answers the waiting task once the statement is complete. Returns what
    /// to wait for next while the answer is still incomplete.
    func advance(loop: EventLoop) -> (socket: Int32, writable: Bool)? {
        enum Step {
            case none
            case again(socket: Int32, writable: Bool)
            case finished(Pending)
        }
        let step = session.withLock { session -> Step in
            guard var pending = session.pending, let connection = session.connection else { return .none }
            switch connection.collect(into: &pending.outcome, statement: pending.statement) {
            case .waiting(let socket, let writable):
                session.pending = pending
                return .again(socket: socket, writable: writable)
            case .complete:
                session.pending = nil
                return .finished(pending)
            }
        }
        switch step {
        case .none:
            return nil
        case .again(let socket, let writable):
            return (socket, writable)
        case .finished(let pending):
            pending.continuation.resume(with: pending.outcome!.map { Optional($0) })
            return nil
        }
    }

    /// Fails the pending statement, if any.
    func fail(with error: any Error) {
        let pending = session.withLock { session -> Pending? in
            defer { session.pending = nil }
            return session.pending
        }
        pending?.continuation.resume(throwing: error)
    }

    /// Ends a transaction left open, on the slot's thread.
    private func settle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            thread.submit {
                self.session.withLock { Self.settle(&$0.connection) }
                continuation.resume()
            }
        }
    }

    /// Lets the slot's thread end without closing the session (the pool is going away).
    func stopThread() {
        thread.stop()
    }

    /// Closes the connection, waiting for any work in progress on it.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            thread.submit {
                let pending = self.session.withLock { session -> Pending? in
                    session.connection = nil
                    defer { session.pending = nil }
                    return session.pending
                }
                pending?.continuation.resume(throwing: PostgresError.poolClosed)
                continuation.resume()
            }
        }
        thread.stop()
    }

    private func usable(_ connection: inout PostgresConnection?) throws -> PostgresConnection {
        if let existing = connection {
            if existing.isUsable { return existing }
            connection = nil
        }
        let opened = try PostgresConnection(connectionString: connectionString, preparesStatements: preparesStatements)
        opened.observer = observer
        connection = opened
        return opened
    }

    /// After use: a session left inside a transaction (a body that escaped the transaction
    /// helper) is rolled back, and a broken one is dropped so the next use reconnects.
    private static func settle(_ connection: inout PostgresConnection?) {
        guard let current = connection else { return }
        switch current.transactionStatus {
        case .idle:
            return
        case .inTransaction, .inFailedTransaction:
            if (try? current.runScript("ROLLBACK")) == nil { connection = nil }
        case .active, .unknown:
            connection = nil
        }
    }
}

/// A thread that runs submitted closures one at a time, in order. It starts with the first
/// closure and sleeps on a semaphore while it has none: waking it costs one futex call,
/// less than a Dispatch queue's hop onto one of Dispatch's worker threads.
final class WorkerThread: Sendable {
    private let name: String
    private let jobs = Mutex(Jobs())
    private let wake = DispatchSemaphore(value: 0)

    private struct Jobs {
        var queue: [@Sendable () -> Void] = []
        var started = false
        var stopped = false
    }

    init(name: String) {
        self.name = name
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        let start = jobs.withLock { jobs -> Bool in
            jobs.queue.append(job)
            defer { jobs.started = true }
            return !jobs.started
        }
        if start {
            let thread = Thread { [self] in loop() }
            thread.name = name
            thread.start()
        }
        wake.signal()
    }

    /// Lets the thread end once it has run the closures submitted so far.
    func stop() {
        jobs.withLock { $0.stopped = true }
        wake.signal()
    }

    private func loop() {
        enum Next {
            case run(@Sendable () -> Void)
            case wait
            case exit
        }
        while true {
            let next = jobs.withLock { jobs -> Next in
                if !jobs.queue.isEmpty { return .run(jobs.queue.removeFirst()) }
                guard jobs.stopped else { return .wait }
                jobs.started = false  // A closure submitted from now on starts a new thread.
                return .exit
            }
            switch next {
            case .run(let job): job()
            case .wait: wake.wait()  // Each submit signals once, so this may return early.
            case .exit: return
            }
        }
    }
}
