import CLibPQ
import Glibc

extension PostgresConnection {
    /// Sends many statements in one round trip with libpq's pipeline mode and returns their
    /// results in order. Outside an explicit transaction the whole pipeline is one implicit
    /// transaction: when a statement fails, none of them takes effect and the first error is
    /// thrown.
    ///
    /// The socket is switched to non-blocking mode while the pipeline runs, reading results
    /// as they arrive while statements are still being sent, so a long pipeline cannot
    /// deadlock with both sides' buffers full.
    public func pipeline(_ statements: [SQL]) throws -> [PostgresRows] {
        if statements.isEmpty { return [] }
        for statement in statements { try requireSendable(statement.parameters, statement: statement.text) }
        if let begin = takeDeferredBegin() {
            return Array(try pipeline([SQL(stringLiteral: begin)] + statements).dropFirst())
        }
        let keys = statements.map(PreparedStatements.Key.init)
        guard let observer else { return try pipeline(statements, keys: keys) }
        let started = ContinuousClock.now
        do {
            let results = try pipeline(statements, keys: keys)
            observer.observe(keys.map(\.text), rows: results.last.map { max($0.count, $0.affectedRows) } ?? 0, since: started)
            return results
        } catch {
            observer.observe(keys.map(\.text), rows: nil, since: started)
            throw error
        }
    }

    private func pipeline(_ statements: [SQL], keys: [PreparedStatements.Key]) throws -> [PostgresRows] {
        if preparesStatements {
            let new = zip(statements, keys).filter { !$0.0.isPlannedEachTime && prepared.name(for: $0.1) == nil }.map(\.1)
            try makeRoomForPrepared(Set(new).count)
        }
        let conn = try rawHandle
        guard PQenterPipelineMode(conn) == 1, PQsetnonblocking(conn, 1) == 0 else {
            throw connectionError(statement: nil)
        }
        defer {
            PQsetnonblocking(conn, 0)
            PQexitPipelineMode(conn)
        }
        var reader = PipelineReader(capacity: statements.count)
        // Statements first seen in this pipeline are prepared in it, just before their first use.
        var preparing: [PreparedStatements.Key: String] = [:]
        for (statement, key) in zip(statements, keys) {
            if !preparesStatements || statement.isPlannedEachTime {
                let sent = try withParameters(statement.parameters) { count, types, values in
                    PQsendQueryParams(conn, key.text, count, types, values, nil, nil, statement.resultFormat)
                }
                guard sent == 1 else { throw connectionError(statement: key.text) }
                reader.expect(.statement(key.text))
                try flush(conn, reader: &reader)
                continue
            }
            let name: String
            if let known = prepared.name(for: key) ?? preparing[key] {
                name = known
            } else {
                name = prepared.newName()
                let sent = try withParameters(statement.parameters) { count, types, _ in PQsendPrepare(conn, name, key.text, count, types) }
                guard sent == 1 else { throw connectionError(statement: key.text) }
                reader.expect(.prepare(key, name))
                preparing[key] = name
            }
            let sent = try withParameters(statement.parameters) { count, _, values in
                PQsendQueryPrepared(conn, name, count, values, nil, nil, statement.resultFormat)
            }
            guard sent == 1 else { throw connectionError(statement: key.text) }
            reader.expect(.statement(key.text))
            try flush(conn, reader: &reader)
        }
        guard PQpipelineSync(conn) == 1 else { throw connectionError(statement: nil) }
        try flush(conn, reader: &reader)
        while !reader.finished {
            try wait(conn, forWriting: false)
            try consume(conn, reader: &reader)
        }
        for (key, name) in reader.prepared { prepared.remember(key, as: name) }
        if let error = reader.firstError { throw error }
        return reader.results
    }

    /// Pushes queued output to the server, reading results meanwhile so the server never
    /// blocks on a full socket.
    private func flush(_ conn: OpaquePointer, reader: inout PipelineReader) throws {
        while true {
            let status = PQflush(conn)
            if status == 0 { return }
            if status < 0 { throw connectionError(statement: nil) }
            try wait(conn, forWriting: true)
            try consume(conn, reader: &reader)
        }
    }

    private func wait(_ conn: OpaquePointer, forWriting: Bool) throws {
        var descriptor = pollfd(fd: PQsocket(conn), events: Int16(forWriting ? POLLIN | POLLOUT : POLLIN), revents: 0)
        while poll(&descriptor, 1, -1) < 0 {
            guard errno == EINTR else { throw connectionError(statement: nil) }
        }
    }

    private func consume(_ conn: OpaquePointer, reader: inout PipelineReader) throws {
        guard PQconsumeInput(conn) == 1 else { throw connectionError(statement: nil) }
        while !reader.finished, PQisBusy(conn) == 0 {
            guard let result = PQgetResult(conn) else {
                // A NULL ends one step's results. A NULL that ends none means every step
                // sent so far is answered: after a failure libpq answers the rest itself
                // (PIPELINE_ABORTED) while we are still sending, and asking again would
                // return NULL forever.
                if reader.endStep() { continue }
                return
            }
            try reader.accept(result, connection: self)
        }
    }
}

/// Sorts pipeline results: each step (a prepare or a statement) yields one result and then
/// a NULL, and the pipeline ends with a PIPELINE_SYNC result. After an error the server
/// skips the remaining steps (PIPELINE_ABORTED).
private struct PipelineReader {
    enum Step {
        case prepare(PreparedStatements.Key, String)
        case statement(String)
    }

    private var steps: [Step] = []
    var results: [PostgresRows] = []
    /// The statements this pipeline prepared successfully.
    var prepared: [(PreparedStatements.Key, String)] = []
    var firstError: PostgresError?
    var finished = false
    private var current = 0
    private var currentHasResult = false

    init(capacity: Int) {
        steps.reserveCapacity(capacity * 2)
        results.reserveCapacity(capacity)
    }

    mutating func expect(_ step: Step) { steps.append(step) }

    /// Moves on to the next step after a NULL result; false if the current step has had no
    /// result yet, so the NULL ended nothing.
    mutating func endStep() -> Bool {
        guard currentHasResult else { return false }
        current += 1
        currentHasResult = false
        return true
    }

    mutating func accept(_ result: OpaquePointer, connection: PostgresConnection) throws {
        let box = ResultBox(result)
        let step = current < steps.count ? steps[current] : .statement("")
        let text: String
        switch step {
        case .prepare(let key, _): text = key.text
        case .statement(let statement): text = statement
        }
        switch PQresultStatus(result) {
        case PGRES_PIPELINE_SYNC:
            finished = true
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            switch step {
            case .prepare(let key, let name): prepared.append((key, name))
            case .statement: results.append(PostgresRows(box, statement: text))
            }
            currentHasResult = true
        case PGRES_PIPELINE_ABORTED:
            currentHasResult = true
        default:
            if firstError == nil { firstError = connection.error(from: result, statement: text) }
            currentHasResult = true
        }
    }
}
