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
        let conn = try rawHandle
        guard PQenterPipelineMode(conn) == 1, PQsetnonblocking(conn, 1) == 0 else {
            throw connectionError(statement: nil)
        }
        defer {
            PQsetnonblocking(conn, 0)
            PQexitPipelineMode(conn)
        }
        var reader = PipelineReader(texts: statements.map(\.text))
        for (index, statement) in statements.enumerated() {
            let sent = withParameters(statement.parameters) { count, types, values in
                PQsendQueryParams(conn, reader.texts[index], count, types, values, nil, nil, 0)
            }
            guard sent == 1 else { throw connectionError(statement: reader.texts[index]) }
            try flush(conn, reader: &reader)
        }
        guard PQpipelineSync(conn) == 1 else { throw connectionError(statement: nil) }
        try flush(conn, reader: &reader)
        while !reader.finished {
            try wait(conn, forWriting: false)
            try consume(conn, reader: &reader)
        }
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
                // A NULL ends one statement's results. A NULL that ends none means every
                // statement sent so far is answered: after a failure libpq answers the rest
                // itself (PIPELINE_ABORTED) while we are still sending, and asking again
                // would return NULL forever.
                if reader.endStatement() { continue }
                return
            }
            try reader.accept(result, connection: self)
        }
    }
}

/// Sorts pipeline results: each statement yields one result and then a NULL, and the
/// pipeline ends with a PIPELINE_SYNC result.
private struct PipelineReader {
    let texts: [String]
    var results: [PostgresRows] = []
    var firstError: PostgresError?
    var finished = false
    private var current = 0
    private var currentHasResult = false

    init(texts: [String]) {
        self.texts = texts
        results.reserveCapacity(texts.count)
    }

    /// Moves on to the next statement after a NULL result; false if the current statement
    /// has had no result yet, so the NULL ended nothing.
    mutating func endStatement() -> Bool {
        guard currentHasResult else { return false }
        current += 1
        currentHasResult = false
        return true
    }

    mutating func accept(_ result: OpaquePointer, connection: PostgresConnection) throws {
        let box = ResultBox(result)
        let statement = current < texts.count ? texts[current] : ""
        switch PQresultStatus(result) {
        case PGRES_PIPELINE_SYNC:
            finished = true
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            results.append(PostgresRows(box, statement: statement))
            currentHasResult = true
        case PGRES_PIPELINE_ABORTED:
            currentHasResult = true
        default:
            if firstError == nil { firstError = connection.error(from: result, statement: statement) }
            currentHasResult = true
        }
    }
}
