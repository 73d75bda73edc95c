import CLibPQ
import Foundation
import Synchronization

/// A session that concurrent tasks share for quick reads (`PostgresPool.quickRead`), in
/// libpq's pipeline mode: each statement goes out with a Sync of its own, so it is its own
/// implicit transaction and its failure its own, and the answers come back in the order
/// sent. One wake-up of the database's backend, and of the pool's event loop, then serves
/// several requests, where a leased session serves one per round trip.
///
/// Only statements that cannot wait on a lock or run long belong here: one that did would
/// hold up every statement queued behind it.
final class SharedSession: EventLoopSlot {
    let slot: Int
    private let connectionString: String
    private let observer: (any PostgresObserver)?
    private let state = Mutex(State())
    /// Opens the session: connecting blocks, so never on the caller's thread.
    private let opener: WorkerThread

    private struct State {
        var connection: PostgresConnection?
        var opening = false
        var closed = false
        /// After a failed attempt the next waits a while, so a database that is down is not
        /// asked for a session by every read (they use the pool's own sessions meanwhile).
        var retryAfter: ContinuousClock.Instant?
        /// Statements in the order sent: `inFlight[head...]` are not answered yet.
        var inFlight: [InFlight] = []
        var head = 0
        /// A NULL result separates one step's result from the next; one that separates
        /// nothing means libpq has no more to give for now.
        var separatorDue = false
    }

    private struct InFlight {
        let continuation: CheckedContinuation<PostgresRows?, any Error>
        let statement: String
        /// Set when the statement is prepared in the same pipeline, just before it: the first
        /// result is the prepare's.
        var preparing: PreparedStatements.Key?
        var outcome: Result<PostgresRows, any Error>?
    }

    init(slot: Int, connectionString: String, observer: (any PostgresObserver)? = nil) {
        self.slot = slot
        self.connectionString = connectionString
        self.observer = observer
        self.opener = WorkerThread(name: "galley.pg.shared.\(slot)")
    }

    /// Sends `sql` and waits for its answer; nil, without sending, while the session is not
    /// open (its opening is then started) or cannot prepare another statement: the caller
    /// then uses a session of its own.
    ///
    /// The socket is armed under the lock, here and in `advance`: an arm can then neither
    /// overtake a later one (which may ask for writability) nor reach a socket that a drop
    /// has closed and the system has given to another session.
    func send(_ sql: SQL, loop: EventLoop) async throws -> PostgresRows? {
        // A binary result is for long reads, and a statement planned each time is never
        // prepared: neither is what this session is for.
        if sql.binaryResults || sql.isPlannedEachTime { return nil }
        let key = PreparedStatements.Key(sql)
        return try await observedSend(observer, key.text) { try await send(sql, key: key, loop: loop) }
    }

    private func send(_ sql: SQL, key: PreparedStatements.Key, loop: EventLoop) async throws -> PostgresRows? {
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresRows?, any Error>) in
            enum Sent {
                case notSent(open: Bool)
                case failed(any Error, [CheckedContinuation<PostgresRows?, any Error>])
                case queued
            }
            let sent = state.withLock { state -> Sent in
                if state.closed { return .failed(PostgresError.poolClosed, [continuation]) }
                let idle = state.head == state.inFlight.count
                guard let connection = state.connection, !idle || connection.isUsable else {
                    // An idle session with something to read was closed by the server.
                    state.connection = nil
                    return .notSent(open: Self.shouldOpen(&state))
                }
                var queued = false
                do {
                    guard let (socket, writable, preparing) = try connection.sendSynced(key, parameters: sql.parameters) else {
                        return .notSent(open: false)
                    }
                    if idle {
                        state.inFlight.removeAll(keepingCapacity: true)
                        state.head = 0
                        state.separatorDue = false
                    }
                    state.inFlight.append(InFlight(continuation: continuation, statement: key.text, preparing: preparing))
                    queued = true
                    // While others are due, the loop re-arms after reading their answers.
                    if idle || writable { try loop.arm(slot: slot, socket: socket, writable: writable) }
                    return .queued
                } catch {
                    let waiting = Self.drop(&state).map(\.continuation)
                    return .failed(error, queued ? waiting : waiting + [continuation])
                }
            }
            switch sent {
            case .notSent(let open):
                if open { startOpening() }
                continuation.resume(returning: nil)
            case .failed(let error, let waiting):
                for waiter in waiting { waiter.resume(throwing: error) }
            case .queued:
                break
            }
        }
    }

    /// Called by the event loop when the socket is ready: answers every statement whose
    /// answer is complete, and arms the socket again while others are due.
    func advance(loop: EventLoop) -> (socket: Int32, writable: Bool)? {
        var answered: [InFlight] = []
        let broken = state.withLock { state -> (any Error, [InFlight])? in
            guard let connection = state.connection, state.head < state.inFlight.count else { return nil }
            do {
                let conn = try connection.rawHandle
                let flushed = PQflush(conn)
                guard flushed >= 0, PQconsumeInput(conn) == 1 else { throw connection.connectionError(statement: nil) }
                while state.head < state.inFlight.count, PQisBusy(conn) == 0 {
                    guard let result = PQgetResult(conn) else {
                        if state.separatorDue {
                            state.separatorDue = false
                            continue
                        }
                        break
                    }
                    if PQresultStatus(result) == PGRES_PIPELINE_SYNC {
                        PQclear(result)
                        answered.append(state.inFlight[state.head])
                        state.inFlight[state.head].outcome = nil  // the rows go with the answer
                        state.head += 1
                        state.separatorDue = false
                        continue
                    }
                    state.separatorDue = true
                    Self.accept(result, for: &state.inFlight[state.head], on: connection)
                }
                guard PQstatus(conn) == CONNECTION_OK else { throw connection.connectionError(statement: nil) }
                if state.head >= 64 {
                    // Under steady load the queue is never empty: forget the answered.
                    state.inFlight.removeFirst(state.head)
                    state.head = 0
                }
                if state.head < state.inFlight.count || flushed == 1 {
                    try loop.arm(slot: slot, socket: PQsocket(conn), writable: flushed == 1)
                }
                return nil
            } catch {
                return (error, Self.drop(&state))
            }
        }
        for statement in answered {
            statement.continuation.resume(
                with: (statement.outcome
                    ?? .failure(PostgresError(kind: .protocolViolation, message: "the server sent no result", statement: statement.statement)))
                    .map { Optional($0) })
        }
        if let (error, waiting) = broken {
            for statement in waiting { statement.continuation.resume(throwing: error) }
        }
        return nil
    }

    /// A prepare's or the statement's result, for the statement at the head of the queue.
    /// The first error is the statement's outcome.
    private static func accept(_ result: OpaquePointer, for statement: inout InFlight, on connection: PostgresConnection) {
        if let preparing = statement.preparing {
            statement.preparing = nil
            let status = PQresultStatus(result)
            if status != PGRES_COMMAND_OK {
                // Statements queued behind it under this name fail too; later ones prepare again.
                connection.prepared.forget(preparing)
                statement.outcome = .failure(connection.error(from: result, statement: preparing.text))
            }
            PQclear(result)
            return
        }
        if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
            PQclear(result)
            return
        }
        let current = Result { try connection.rows(from: result, statement: statement.statement) }
        if case .failure = statement.outcome {} else { statement.outcome = current }
    }

    func fail(with error: any Error) {
        let waiting = state.withLock { Self.drop(&$0) }
        for statement in waiting { statement.continuation.resume(throwing: error) }
    }

    /// Closes the session; statements still due fail.
    func close() {
        let waiting = state.withLock { state -> [InFlight] in
            state.closed = true
            return Self.drop(&state)
        }
        for statement in waiting { statement.continuation.resume(throwing: PostgresError.poolClosed) }
        opener.stop()
    }

    /// Lets the opening thread end (the pool is going away without `close`).
    func stopThread() {
        opener.stop()
    }

    /// Drops the session (a broken one, or at close) and returns the statements still due.
    private static func drop(_ state: inout State) -> [InFlight] {
        let waiting = Array(state.inFlight[state.head...])
        state.inFlight.removeAll()
        state.head = 0
        state.separatorDue = false
        state.connection = nil
        return waiting
    }

    private static func shouldOpen(_ state: inout State) -> Bool {
        guard !state.opening, !state.closed, state.retryAfter.map({ ContinuousClock.now >= $0 }) ?? true else { return false }
        state.opening = true
        return true
    }

    private func startOpening() {
        opener.submit { [self] in
            // Connecting blocks, so not under the lock that senders take.
            let opened = Opened(connectionString: connectionString)
            state.withLock { state in
                state.opening = false
                if state.closed { return }
                state.connection = opened.take()
                state.retryAfter = state.connection == nil ? ContinuousClock.now + .seconds(1) : nil
            }
        }
    }
}

/// A session opened on the opener's thread and handed, once, to the state it is used under.
private final class Opened: @unchecked Sendable {
    private var connection: PostgresConnection?

    init(connectionString: String) {
        let opened = try? PostgresConnection(connectionString: connectionString)
        connection = opened.flatMap { (try? $0.enterSharedPipeline()) != nil ? $0 : nil }
    }

    func take() -> PostgresConnection? {
        defer { connection = nil }
        return connection
    }
}

extension PostgresConnection {
    /// Puts the session in pipeline mode, non-blocking, for good (a `SharedSession`).
    func enterSharedPipeline() throws {
        let conn = try rawHandle
        guard PQenterPipelineMode(conn) == 1, PQsetnonblocking(conn, 1) == 0 else {
            throw connectionError(statement: nil)
        }
    }

    /// Queues the statement with a Sync of its own, preparing it first in the same pipeline
    /// when this session has not; nil when the session has no room for another prepared
    /// statement. Returns the socket, whether output is still to be written, and what it
    /// prepares.
    func sendSynced(_ key: PreparedStatements.Key, parameters: [PostgresParameter]) throws
        -> (socket: Int32, writable: Bool, preparing: PreparedStatements.Key?)?
    {
        let conn = try rawHandle
        var preparing: PreparedStatements.Key?
        let name: String
        if let known = prepared.name(for: key) {
            name = known
        } else {
            guard prepared.count < PreparedStatements.capacity else { return nil }
            name = prepared.newName()
            let sent = try withParameters(parameters) { count, types, _ in PQsendPrepare(conn, name, key.text, count, types) }
            guard sent == 1 else { throw connectionError(statement: key.text) }
            // Statements sent after this one use the name: the server prepares it first.
            prepared.remember(key, as: name)
            preparing = key
        }
        let sent = try withParameters(parameters) { count, _, values in PQsendQueryPrepared(conn, name, count, values, nil, nil, 0) }
        guard sent == 1, PQpipelineSync(conn) == 1 else { throw connectionError(statement: key.text) }
        let flushed = PQflush(conn)
        guard flushed >= 0 else { throw connectionError(statement: key.text) }
        return (PQsocket(conn), flushed == 1, preparing)
    }
}
