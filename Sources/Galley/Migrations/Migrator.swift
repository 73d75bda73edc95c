import Foundation
import Postgres

/// Applies `sql/` migrations in order, each in its own transaction (or statement by statement,
/// for a file marked `-- galley: no-transaction`), under an advisory lock so that concurrent
/// runs (several servers starting at once) apply each file exactly once. Every statement waits
/// at most `lockTimeout` for a lock: a migration never queues the newsroom's writes behind it
/// for longer than that, waiting on a long transaction; it is tried again a few times, pausing
/// longer each time, then refused (docs/operations.md, "Migrations").
public struct Migrator: Sendable {
    public struct Status: Sendable, Equatable {
        public let name: String
        public let appliedAt: String?
        public var isApplied: Bool { appliedAt != nil }
    }

    /// An arbitrary constant naming Galley's migration lock among advisory locks.
    static let lockKey = 0x6761_6c6c_6579  // "galley"

    /// How long a migration's statement may wait for a lock (`GALLEY_MIGRATION_LOCK_TIMEOUT`).
    public static let defaultLockTimeout: Duration = .seconds(5)

    let pool: PostgresPool
    let migrations: [Migration]
    let lockTimeout: Duration
    let attempts: Int
    let firstPause: Duration

    /// `attempts` tries of each migration, pausing `firstPause`, then twice as long, between them.
    public init(
        pool: PostgresPool, migrations: [Migration], lockTimeout: Duration = Self.defaultLockTimeout, attempts: Int = 5,
        firstPause: Duration = .milliseconds(500)
    ) {
        self.pool = pool
        self.migrations = migrations
        self.lockTimeout = lockTimeout
        self.attempts = max(1, attempts)
        self.firstPause = firstPause
    }

    /// Applies what is pending and returns the names applied (none on a second run).
    @discardableResult
    public func migrate() async throws -> [String] {
        let migrations = self.migrations
        let applying = self
        return try await pool.withConnection { conn in
            try Self.takeLock(conn)
            defer { _ = try? conn.query("SELECT pg_advisory_unlock(\(Self.lockKey))") }
            try Self.createHistoryTable(conn)
            let applied = try Self.appliedChecksums(conn)
            try Self.check(applied: applied, against: migrations)
            var names: [String] = []
            for migration in migrations where applied[migration.version] == nil {
                try applying.retryingLockTimeouts(migration) { try applying.apply(migration, conn) }
                names.append(migration.name)
            }
            return names
        }
    }

    /// Waits for the migration lock by asking for it again and again rather than in one long
    /// statement: `CREATE INDEX CONCURRENTLY` waits for every transaction running when it
    /// starts, and a migrator blocked inside `pg_advisory_lock` would be one, waiting in turn
    /// for the build: a deadlock.
    private static func takeLock(_ conn: PostgresConnection) throws {
        while try !conn.query("SELECT pg_try_advisory_lock(\(lockKey)) AS taken")[0].decode("taken", as: Bool.self) {
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    private var lockTimeoutMilliseconds: Int64 {
        lockTimeout.components.seconds * 1000 + lockTimeout.components.attoseconds / 1_000_000_000_000_000
    }

    private var lockTimeoutSetting: String { "'\(lockTimeoutMilliseconds)ms'" }

    private func apply(_ migration: Migration, _ conn: PostgresConnection) throws {
        guard migration.isTransactional else { return try applyStatementByStatement(migration, conn) }
        try conn.inTransaction { conn in
            try conn.runScript("SET LOCAL lock_timeout = \(lockTimeoutSetting)")
            try conn.runScript(migration.script)
            try Self.record(migration, conn)
        }
    }

    /// Runs the statements of a no-transaction migration one at a time, and records it only
    /// when no index is left invalid (a `CREATE INDEX CONCURRENTLY` that failed half-way).
    private func applyStatementByStatement(_ migration: Migration, _ conn: PostgresConnection) throws {
        try conn.runScript("SET lock_timeout = \(lockTimeoutSetting)")
        defer { try? conn.runScript("RESET lock_timeout") }
        for statement in SQLStatements.split(migration.script) {
            try conn.runScript(statement)
        }
        let invalid = try Self.invalidIndexes(conn)
        guard invalid.isEmpty else { throw MigrationError.invalidIndexes(migration.name + ".sql", invalid) }
        try Self.record(migration, conn)
    }

    private func retryingLockTimeouts(_ migration: Migration, _ apply: () throws -> Void) throws {
        var pause = firstPause
        for attempt in 1...attempts {
            do {
                return try apply()
            } catch let error as PostgresError where error.sqlState == SQLState.lockNotAvailable {
                guard attempt < attempts else { break }
                Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
                pause *= 2
            }
        }
        throw MigrationError.lockTimeout(migration.name + ".sql", timeout: "\(lockTimeoutMilliseconds) ms", attempts: attempts)
    }

    private static func record(_ migration: Migration, _ conn: PostgresConnection) throws {
        try conn.query(
            """
            INSERT INTO schema_migrations (version, name, checksum)
            VALUES (\(migration.version), \(migration.name), \(migration.checksum))
            """)
    }

    /// Indexes of the schema that PostgreSQL does not use because their build did not finish.
    public static func invalidIndexes(_ conn: PostgresConnection) throws -> [String] {
        try conn.query(
            """
            SELECT c.relname::text AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname
            """
        ).map { try $0.decode("name") }
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
