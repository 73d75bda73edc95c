import Postgres

/// Applies `sql/` migrations in order, each in its own transaction, under an advisory lock
/// so that concurrent runs (several servers starting at once) apply each file exactly once.
public struct Migrator: Sendable {
    public struct Status: Sendable, Equatable {
        public let name: String
        public let appliedAt: String?
        public var isApplied: Bool { appliedAt != nil }
    }

    /// An arbitrary constant naming Galley's migration lock among advisory locks.
    static let lockKey = 0x6761_6c6c_6579  // "galley"

    let pool: PostgresPool
    let migrations: [Migration]

    public init(pool: PostgresPool, migrations: [Migration]) {
        self.pool = pool
        self.migrations = migrations
    }

    /// Applies what is pending and returns the names applied (none on a second run).
    @discardableResult
    public func migrate() async throws -> [String] {
        let migrations = self.migrations
        return try await pool.withConnection { conn in
            try conn.query("SELECT pg_advisory_lock(\(Self.lockKey))")
            defer { _ = try? conn.query("SELECT pg_advisory_unlock(\(Self.lockKey))") }
            try Self.createHistoryTable(conn)
            let applied = try Self.appliedChecksums(conn)
            try Self.check(applied: applied, against: migrations)
            var names: [String] = []
            for migration in migrations where applied[migration.version] == nil {
                try conn.inTransaction { conn in
                    try conn.runScript(migration.script)
                    try conn.query(
                        """
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                        """)
                }
                names.append(migration.name)
            }
            return names
        }
    }

    /// Every known migration with the time it was applied, or nil when pending.
    public func status() async throws -> [Status] {
        let migrations = self.migrations
        return try await pool.withConnection { conn in
            try Self.createHistoryTable(conn)
            let rows = try conn.query("SELECT version, name, checksum, applied_at::text AS applied_at FROM schema_migrations")
            var applied: [Int: (String, String)] = [:]
            for row in rows {
                applied[try row.decode("version")] = (try row.decode("checksum"), try row.decode("applied_at"))
            }
            try Self.check(applied: applied.mapValues(\.0), against: migrations)
            return migrations.map { Status(name: $0.name, appliedAt: applied[$0.version]?.1) }
        }
    }

    private static func createHistoryTable(_ conn: PostgresConnection) throws {
        try conn.runScript(
            """
            SET client_min_messages TO warning;
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            RESET client_min_messages;
            """)
    }

    private static func appliedChecksums(_ conn: PostgresConnection) throws -> [Int: String] {
        var applied: [Int: String] = [:]
        for row in try conn.query("SELECT version, checksum FROM schema_migrations") {
            applied[try row.decode("version")] = try row.decode("checksum")
        }
        return applied
    }

    private static func check(applied: [Int: String], against migrations: [Migration]) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, checksum) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else {
                throw MigrationError.unknownApplied(String(version))
            }
            guard migration.checksum == checksum else {
                throw MigrationError.checksumMismatch(migration.name + ".sql")
            }
        }
        // Applied after a higher number, a migration would run in an order no other database
        // ran it in (and its author never tested).
        if let highest = applied.keys.max(), let late = migrations.first(where: { applied[$0.version] == nil && $0.version < highest }) {
            throw MigrationError.belowApplied(late.name + ".sql", highestApplied: known[highest]?.name ?? String(highest))
        }
    }
}
