import Postgres

/// The pruning lock, and the sizes of the tables that grow (docs/operations.md, "Retention
/// and pruning").
enum RetentionStore {
    /// An arbitrary constant naming the pruning lock among advisory locks ("prun").
    static let pruneLock = 0x7072_756e

    /// The tables whose size `/metrics` shows: those that grow with the newsroom's work.
    static let measuredTables = [
        "articles", "revisions", "audit_events", "event_stream", "webhook_deliveries", "webhook_attempts", "idempotency_keys",
    ]

    /// Takes the pruning lock for this session unless another server holds it; true when taken.
    static func tryLock(_ conn: PostgresConnection) throws -> Bool {
        try conn.query("SELECT pg_try_advisory_lock(\(pruneLock)) AS locked")[0].decode("locked", as: Bool.self)
    }

    static func unlock(_ conn: PostgresConnection) throws {
        try conn.query("SELECT pg_advisory_unlock(\(pruneLock))")
    }

    /// Bytes on disk of each measured table with its indexes and TOAST, read from the
    /// catalog (no scan of the tables).
    static func tableSizes() -> StoreRead<[String: Int]> {
        StoreRead(
            sql: """
                SELECT c.relname::text AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c
                WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname = ANY (\(measuredTables)::text[])
                """
        ) { rows in
            var sizes: [String: Int] = [:]
            for row in rows { sizes[try row.decode("name")] = try row.decode("bytes") }
            return sizes
        }
    }
}
