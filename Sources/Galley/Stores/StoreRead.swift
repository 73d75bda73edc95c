import Postgres

/// A read a store knows how to send and decode. Reads that do not depend on each other go
/// to the server together in one pipeline (`PostgresConnection.read`), one round trip
/// instead of one each.
struct StoreRead<Value>: Sendable {
    let sql: SQL
    let decode: @Sendable (PostgresRows) throws -> Value
}

extension PostgresConnection {
    /// Sends every read in one pipeline and decodes each answer in order.
    func read<each Value>(_ reads: repeat StoreRead<each Value>) throws -> (repeat each Value) {
        try read(committing: false, after: [], repeat each reads)
    }

    /// `read`, after `prefix` (statements whose answers are not wanted, such as a savepoint)
    /// in the same pipeline.
    func read<each Value>(after prefix: [SQL], _ reads: repeat StoreRead<each Value>) throws -> (repeat each Value) {
        try read(committing: false, after: prefix, repeat each reads)
    }

    /// `read`, committing the transaction in the same round trip (`pipelineCommitting`): for
    /// a transaction's last statements.
    func readCommitting<each Value>(_ reads: repeat StoreRead<each Value>) throws -> (repeat each Value) {
        try read(committing: true, after: [], repeat each reads)
    }

    private func read<each Value>(
        committing: Bool, after prefix: [SQL], _ reads: repeat StoreRead<each Value>
    ) throws -> (repeat each Value) {
        var statements = prefix
        for read in repeat each reads { statements.append(read.sql) }
        let results =
            if committing { try pipelineCommitting(statements) } else if statements.count == 1 { [try query(statements[0])] } else {
                try pipeline(statements)
            }
        var index = prefix.count
        func next<V>(_ read: StoreRead<V>) throws -> V {
            defer { index += 1 }
            return try read.decode(results[index])
        }
        return (repeat try next(each reads))
    }
}

extension StoreRead {
    /// The same statement, its decoded value transformed.
    func map<Other>(_ transform: @escaping @Sendable (Value) throws -> Other) -> StoreRead<Other> {
        let decode = decode
        return StoreRead<Other>(sql: sql) { try transform(try decode($0)) }
    }
}
