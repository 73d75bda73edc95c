/// Transaction isolation levels, as in `BEGIN ISOLATION LEVEL …`.
public enum IsolationLevel: Sendable {
    case readCommitted, repeatableRead, serializable
    /// One snapshot for every statement, and no writes: for a long read that must see the
    /// database as it was at one instant.
    case readOnlySnapshot

    var beginStatement: String {
        switch self {
        case .readCommitted: "BEGIN ISOLATION LEVEL READ COMMITTED"
        case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
        case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
        case .readOnlySnapshot: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        }
    }
}

extension PostgresConnection {
    /// Runs `body` inside a transaction on this connection: commits when it returns, rolls
    /// back when it throws. No retry here; see `PostgresPool.transaction`.
    ///
    /// `BEGIN` is not sent on its own: it goes out with the body's first statement in one
    /// pipeline, so a transaction costs one round trip less. A body that sends nothing sends
    /// no `BEGIN` and no `COMMIT` either.
    public func inTransaction<Result>(
        isolation: IsolationLevel = .readCommitted, _ body: (PostgresConnection) throws -> Result
    ) throws -> Result {
        deferredBegin = isolation.beginStatement
        transactionOpen = true
        defer { (transactionOpen, committedEarly) = (false, false) }
        let result: Result
        do {
            result = try body(self)
        } catch {
            if takeDeferredBegin() == nil, !committedEarly { try? runScript("ROLLBACK") }
            throw error
        }
        if takeDeferredBegin() != nil || committedEarly { return result }
        if transactionStatus == .inFailedTransaction {
            // COMMIT would quietly roll back; say so instead.
            try? runScript("ROLLBACK")
            throw PostgresError(kind: .server, message: "a statement in the transaction failed, so it was rolled back")
        }
        do {
            try runScript("COMMIT")
        } catch {
            try? runScript("ROLLBACK")
            throw error
        }
        return result
    }
}

extension PostgresConnection {
    /// `pipeline` with `COMMIT` as its last statement, ending the transaction `inTransaction`
    /// opened in the round trip of its last statements instead of one of its own. For a
    /// body's final writes only: what the body does afterwards is outside the transaction,
    /// and a body that may still refuse after this point must not use it (its writes would
    /// stay). When a statement fails, `COMMIT` is skipped and the transaction rolls back.
    /// Outside `inTransaction` it is `pipeline`.
    public func pipelineCommitting(_ statements: [SQL]) throws -> [PostgresRows] {
        guard transactionOpen, !committedEarly else { return try pipeline(statements) }
        let results = try pipeline(statements + ["COMMIT"])
        committedEarly = true
        return Array(results.dropLast())
    }
}

extension PostgresPool {
    /// Runs `body` in a transaction on one connection's thread: commits when it returns and
    /// rolls back when it throws. A serialization failure (40001) or deadlock (40P01) runs
    /// the whole body again, up to `maxAttempts` times, after a short random pause; `body`
    /// must therefore have no effects outside the database.
    public func transaction<Result: Sendable>(
        isolation: IsolationLevel = .readCommitted,
        maxAttempts: Int = 5,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await withConnection { conn in
                    try conn.inTransaction(isolation: isolation, body)
                }
            } catch let error as PostgresError where error.isTransient && attempt < maxAttempts {
                // Jittered backoff so the transactions that collided do not collide again.
                let pause = Int.random(in: 1...(5 << min(attempt, 6)))
                try await Task.sleep(for: .milliseconds(pause))
                attempt += 1
            }
        }
    }
}
