import CLibPQ
import Foundation
import Glibc

/// One libpq connection. Every public method blocks its thread until the server answers, so
/// they only ever run on the thread of its `ConnectionWorker` (through `PostgresPool`), never
/// on Swift's cooperative thread pool. Only the internal non-blocking pair
/// `sendWithoutBlocking`/`collect` runs elsewhere: on the calling task and the pool's
/// `EventLoop`.
public final class PostgresConnection {
    private var handle: OpaquePointer?
    private let connectionString: String
    /// A `BEGIN` not sent yet: it travels with the transaction's first statement, in one
    /// pipeline, which saves a round trip per transaction (see `inTransaction`).
    var deferredBegin: String?
    /// Set while `inTransaction` runs its body, and once the body has committed with
    /// `pipelineCommitting`.
    var transactionOpen = false
    var committedEarly = false
    var prepared = PreparedStatements()
    /// False behind a pooler that hands each transaction to any server session (PgBouncer
    /// in transaction mode): statements are then sent unnamed, parsed with each execution,
    /// since a statement prepared on one server session is unknown to the next.
    let preparesStatements: Bool
    /// Told of each round trip this session makes (`PostgresPool`'s observer).
    var observer: (any PostgresObserver)?

    /// Connects with a libpq URL (`postgresql://…`) or key=value string; an empty string lets
    /// libpq use its `PG*` environment variables and defaults. TLS and authentication are
    /// libpq's, configured the usual way (`sslmode`, `.pgpass`, …).
    public init(connectionString: String, preparesStatements: Bool = true) throws {
        self.connectionString = connectionString
        self.preparesStatements = preparesStatements
        try open()
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    private func open() throws {
        let keywords = ["dbname", "client_encoding", "fallback_application_name"]
        let values = [connectionString, "UTF8", "galley"]
        let conn = withCStringArray(keywords) { k in
            withCStringArray(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let message = conn.map { trimmed(PQerrorMessage($0)) } ?? "out of memory"
            if let conn { PQfinish(conn) }
            throw PostgresError(kind: .connection, message: "could not connect to PostgreSQL: \(message)")
        }
        handle = conn
        prepared = PreparedStatements()
        // libpq prints notices to stderr by default; server notices are not errors, and a
        // command-line tool must not spray them between its own output.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        // Our decoders read timestamps in this exact form. JIT compilation is chosen by a
        // plan's estimated cost, which counts branches that may never run (a text search's
        // fallback to every match of a word), and costs tens of milliseconds: more than the
        // statements it would speed up take.
        try runScript("SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; SET IntervalStyle TO 'iso_8601'; SET jit TO off")
    }

    /// libpq's cancel object for this session (`StatementCanceller` owns and frees it).
    func cancelHandle() -> OpaquePointer? {
        handle.flatMap { PQgetCancel($0) }
    }

    /// Drops the current session and opens a new one.
    public func reconnect() throws {
        if let handle { PQfinish(handle) }
        handle = nil
        try open()
    }

    private var conn: OpaquePointer {
        get throws {
            guard let handle else {
                throw PostgresError(kind: .connection, message: "the connection is closed")
            }
            return handle
        }
    }

    /// Runs a statement and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) throws -> PostgresRows {
        let key = PreparedStatements.Key(sql)
        // A pending BEGIN or a statement new to this session goes through a pipeline, which
        // sends BEGIN and prepares the statement in the same round trip as the statement.
        guard preparesStatements, deferredBegin == nil, let name = prepared.name(for: key) else { return try pipeline([sql])[0] }
        let started = observer == nil ? nil : ContinuousClock.now
        let outcome = Result {
            let result = try withParameters(sql.parameters) { count, _, values in
                PQexecPrepared(try conn, name, count, values, nil, nil, sql.resultFormat)
            }
            return try rows(from: result, statement: key.text)
        }
        if let observer, let started { observer.observe([key.text], outcome, since: started) }
        return try outcome.get()
    }

    /// Deallocates every prepared statement when `count` more would not fit in the cache.
    func makeRoomForPrepared(_ count: Int) throws {
        guard count > 0, prepared.count + count > PreparedStatements.capacity else { return }
        let result = PQexec(try conn, "DEALLOCATE ALL")
        _ = try rows(from: result, statement: "DEALLOCATE ALL")
        prepared.forgetAll()
    }

    /// Sends a statement this session has prepared (as `name`; nil: unnamed, when the
    /// session prepares nothing) without waiting for the answer, for `collect` to read later.
    /// Returns the socket to wait on and whether libpq still has output to write to it.
    func sendWithoutBlocking(prepared name: String?, _ text: String, parameters: [PostgresParameter]) throws -> (socket: Int32, writable: Bool) {
        let conn = try conn
        try requireSendable(parameters, statement: text)
        guard PQsetnonblocking(conn, 1) == 0 else { throw connectionError(statement: text) }
        let sent = try withParameters(parameters) { count, types, values in
            if let name {
                PQsendQueryPrepared(conn, name, count, values, nil, nil, 0)
            } else {
                PQsendQueryParams(conn, text, count, types, values, nil, nil, 0)
            }
        }
        let flushed = sent == 1 ? PQflush(conn) : -1
        guard flushed >= 0 else {
            let error = connectionError(statement: text)
            PQsetnonblocking(conn, 0)
            throw error
        }
        return (PQsocket(conn), flushed == 1)
    }

    enum Collected {
        case waiting(socket: Int32, writable: Bool)
        case complete
    }

    /// Reads what has arrived for a statement sent with `sendWithoutBlocking`, without
    /// blocking. `outcome` ends as the statement's rows or its first error.
    func collect(into outcome: inout Result<PostgresRows, any Error>?, statement: String) -> Collected {
        guard let conn = handle else {
            outcome = .failure(connectionError(statement: statement))
            return .complete
        }
        let flushed = PQflush(conn)
        if flushed == 1 { return .waiting(socket: PQsocket(conn), writable: true) }
        guard flushed == 0, PQconsumeInput(conn) == 1 else {
            outcome = .failure(connectionError(statement: statement))
            PQsetnonblocking(conn, 0)
            return .complete
        }
        while PQisBusy(conn) == 0 {
            guard let result = PQgetResult(conn) else {
                PQsetnonblocking(conn, 0)
                if outcome == nil {
                    outcome = .failure(PostgresError(kind: .protocolViolation, message: "the server sent no result", statement: statement))
                }
                return .complete
            }
            let current = Result { try self.rows(from: result, statement: statement) }
            if case .failure = outcome {} else { outcome = current }
        }
        return .waiting(socket: PQsocket(conn), writable: false)
    }

    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try query(sql).affectedRows
    }

    /// Runs a trusted script of several statements without parameters, such as a migration
    /// file. Never pass text that contains values from outside.
    public func runScript(_ script: String) throws {
        let script = takeDeferredBegin().map { $0 + "; " + script } ?? script
        var result = PQexec(try conn, script)
        // A script yields its last statement's result; earlier errors stop it there.
        _ = try rows(from: result, statement: script)
        result = nil
    }

    /// The pending `BEGIN`, now to be sent by the caller.
    func takeDeferredBegin() -> String? {
        defer { deferredBegin = nil }
        return deferredBegin
    }

    func rows(from result: OpaquePointer?, statement: String) throws -> PostgresRows {
        guard let result else {
            throw connectionError(statement: statement)
        }
        let box = ResultBox(result)
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(box, statement: statement)
        default:
            throw error(from: result, statement: statement)
        }
    }

    func error(from result: OpaquePointer, statement: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let lost = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
        return PostgresError(
            kind: lost ? .connection : .server,
            message: field("M") ?? trimmed(PQresultErrorMessage(result)),
            sqlState: field("C"),
            detail: field("D"),
            hint: field("H"),
            constraint: field("n"),
            table: field("t"),
            column: field("c"),
            statement: statement
        )
    }

    func connectionError(statement: String?) -> PostgresError {
        let message = handle.map { trimmed(PQerrorMessage($0)) } ?? "the connection is closed"
        return PostgresError(kind: .connection, message: message, statement: statement)
    }

    // MARK: Session state

    public enum TransactionStatus: Sendable {
        case idle, active, inTransaction, inFailedTransaction, unknown
    }

    public var transactionStatus: TransactionStatus {
        guard let handle else { return .unknown }
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE: return .idle
        case PQTRANS_ACTIVE: return .active
        case PQTRANS_INTRANS: return .inTransaction
        case PQTRANS_INERROR: return .inFailedTransaction
        default: return .unknown
        }
    }

    /// True when the session is open and idle and the server has sent nothing unasked.
    /// An idle session that has something to read was almost always closed by the server
    /// (a restart, `pg_terminate_backend`, an idle timeout), so the pool replaces it before
    /// use rather than let the next statement fail.
    public var isUsable: Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) == PQTRANS_IDLE else {
            return false
        }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    /// The server process id of this session, as `pg_backend_pid()` reports it.
    public var backendPID: Int32 {
        handle.map { PQbackendPID($0) } ?? 0
    }

    /// Quotes a name for use as an SQL identifier where parameters cannot go (DDL).
    public func quoteIdentifier(_ name: String) throws -> String {
        guard let quoted = PQescapeIdentifier(try conn, name, name.utf8.count) else {
            throw connectionError(statement: nil)
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    var rawHandle: OpaquePointer {
        get throws { try conn }
    }
}

func trimmed(_ message: UnsafePointer<CChar>?) -> String {
    guard let message else { return "unknown error" }
    return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Calls `body` with a NULL-terminated array of C strings.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
    var pointers: [UnsafePointer<CChar>?] = []
    var storage: [UnsafeMutablePointer<CChar>] = []
    for string in strings {
        let copy = strdup(string)!
        storage.append(copy)
        pointers.append(UnsafePointer(copy))
    }
    pointers.append(nil)
    defer { for pointer in storage { free(pointer) } }
    return try body(pointers)
}

/// Refuses parameters libpq cannot send as given: it takes each value as a NUL-terminated
/// string, so a text holding U+0000 would arrive cut short, silently. Called before the
/// first byte of a statement (or pipeline) is sent, so a refusal leaves the session clean.
func requireSendable(_ parameters: [PostgresParameter], statement: String) throws {
    for (index, parameter) in parameters.enumerated() where parameter.text?.utf8.contains(0) == true {
        throw PostgresError(
            kind: .unsendableParameter, message: "parameter $\(index + 1) holds the NUL character (U+0000), which PostgreSQL text cannot store",
            statement: statement)
    }
}

/// Lays the parameters out as libpq wants them: one buffer of NUL-terminated values and an
/// array of pointers into it (nil for NULL). Refuses a value holding NUL (`requireSendable`).
func withParameters<R>(
    _ parameters: [PostgresParameter],
    _ body: (Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?) throws -> R
) throws -> R {
    if parameters.isEmpty { return try body(0, nil, nil) }
    try requireSendable(parameters, statement: "")
    var buffer: [CChar] = []
    var offsets: [Int] = []
    offsets.reserveCapacity(parameters.count)
    for parameter in parameters {
        if let text = parameter.text {
            offsets.append(buffer.count)
            buffer.append(contentsOf: text.utf8CString)
        } else {
            offsets.append(-1)
        }
    }
    let types = parameters.map { Oid($0.type.rawValue) }
    return try buffer.withUnsafeBufferPointer { base in
        let pointers: [UnsafePointer<CChar>?] = offsets.map { $0 < 0 ? nil : base.baseAddress! + $0 }
        return try body(Int32(parameters.count), types, pointers)
    }
}
