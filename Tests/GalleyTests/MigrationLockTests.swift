import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@testable import Galley

/// Migrations that do not stop the newsroom: concurrent index builds outside a transaction,
/// and a lock timeout that keeps a migration from queueing writes behind it for long.
@Suite struct MigrationLockTests {
    /// A flag one task sets and another watches.
    private final class Flag: Sendable {
        private let state = Mutex(false)
        var isSet: Bool { state.withLock { $0 } }
        func set() { state.withLock { $0 = true } }
    }

    /// A table with enough rows that building an index on it takes a while.
    private static func makeBusyTable(_ pool: PostgresPool, rows: Int = 300_000) async throws {
        try await pool.execute("CREATE TABLE busy (id bigserial PRIMARY KEY, n integer NOT NULL)")
        try await pool.execute("INSERT INTO busy (n) SELECT g % 1000 FROM generate_series(1, \(rows)) g")
    }

    private static func migration(_ version: Int, _ name: String, _ script: String) -> Migration {
        Migration(version: version, name: "\(version)_\(name)", script: script)
    }

    /// Inserts into `busy` on a session of its own until `stop` is set; returns how many. A
    /// write that waits longer than `lockWait` for a lock fails (PostgreSQL's `lock_timeout`
    /// times the wait alone, not a busy machine's slowness), and with it the test.
    private static func keepWriting(_ pool: PostgresPool, until stop: Flag, lockWait: Duration, writing: Flag) async throws -> Int {
        try await pool.withConnection { conn in
            try conn.runScript(
                "SET lock_timeout = '\(lockWait.components.seconds * 1000 + lockWait.components.attoseconds / 1_000_000_000_000_000)ms'")
            defer { try? conn.runScript("RESET lock_timeout") }
            var count = 0
            while !stop.isSet {
                try conn.execute("INSERT INTO busy (n) VALUES (7)")
                count += 1
                writing.set()
            }
            return count
        }
    }

    @Test func aNoTransactionMigrationBuildsAnIndexConcurrentlyWhileWritesContinue() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await Self.makeBusyTable(pool)
            let concurrent = Self.migration(
                9_999, "busy_index",
                "-- galley: no-transaction\n-- An index built beside the writes.\nCREATE INDEX CONCURRENTLY busy_n ON busy (n);\n")
            #expect(!concurrent.isTransactional)
            let (stop, writing) = (Flag(), Flag())
            // No write may wait a second for a lock while the index is built.
            let writer = Task { try await Self.keepWriting(pool, until: stop, lockWait: .seconds(1), writing: writing) }
            while !writing.isSet { try await Task.sleep(for: .milliseconds(10)) }
            let applied = try await Migrator(pool: pool, migrations: try TestDatabase.migrations() + [concurrent], lockTimeout: .seconds(1))
                .migrate()
            stop.set()
            let writes = try await writer.value
            #expect(applied == ["9999_busy_index"])
            #expect(writes > 0)
            let valid: Bool = try await pool.query(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'busy_n'")[0].decode(at: 0)
            #expect(valid)
        }
    }

    @Test func aMigrationThatCannotGetItsLockIsRetriedThenRefusedWithoutHoldingUpWrites() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 4) { pool, _ in
            try await Self.makeBusyTable(pool, rows: 10)
            let alter = Self.migration(9_999, "busy_column", "ALTER TABLE busy ADD COLUMN note text;")
            let migrations = try TestDatabase.migrations() + [alter]
            // A long read holds the table: the ALTER must wait for it, and every write queues
            // behind the waiting ALTER, for as long as the lock timeout lets it wait.
            let reading = Flag()
            let release = Flag()
            let reader = Task {
                try await pool.transaction { conn in
                    _ = try conn.query("SELECT count(*) FROM busy")
                    reading.set()
                    while !release.isSet { Thread.sleep(forTimeInterval: 0.02) }
                }
            }
            while !reading.isSet { try await Task.sleep(for: .milliseconds(10)) }
            let (stop, writing) = (Flag(), Flag())
            // Each write may wait for the migration's 200 ms lock timeout, never the 2 s it is allowed.
            let writer = Task { try await Self.keepWriting(pool, until: stop, lockWait: .seconds(2), writing: writing) }
            while !writing.isSet { try await Task.sleep(for: .milliseconds(10)) }
            let migrator = Migrator(pool: pool, migrations: migrations, lockTimeout: .milliseconds(200), attempts: 3, firstPause: .milliseconds(50))
            let error = try await #require(throws: MigrationError.self) { try await migrator.migrate() }
            stop.set()
            #expect(try await writer.value > 0)
            #expect(error == .lockTimeout("9999_busy_column.sql", timeout: "200 ms", attempts: 3))
            #expect(error.description.contains("GALLEY_MIGRATION_LOCK_TIMEOUT"))
            #expect(try await migrator.status().last?.isApplied == false)

            release.set()
            try await reader.value
            #expect(try await migrator.migrate() == ["9999_busy_column"])
        }
    }

    @Test func anIndexLeftInvalidIsDetectedAndTheMigrationRunsAgainWhole() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await Self.makeBusyTable(pool, rows: 2000)
            let unique = Self.migration(
                9_999, "busy_unique",
                """
                -- galley: no-transaction
                DROP INDEX CONCURRENTLY IF EXISTS busy_unique;
                CREATE UNIQUE INDEX CONCURRENTLY busy_unique ON busy (n);
                """)
            let migrator = Migrator(pool: pool, migrations: try TestDatabase.migrations() + [unique])
            // `n` repeats: the build fails half-way and leaves the index INVALID.
            await #expect(throws: PostgresError.self) { try await migrator.migrate() }
            #expect(try await pool.withConnection { try Migrator.invalidIndexes($0) } == ["busy_unique"])
            #expect(try await migrator.status().last?.isApplied == false)

            // A migration that would skip the invalid index is not recorded as applied.
            let skipping = Self.migration(
                9_999, "busy_unique", "-- galley: no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS busy_unique ON busy (n);")
            let error = try await #require(throws: MigrationError.self) {
                try await Migrator(pool: pool, migrations: try TestDatabase.migrations() + [skipping]).migrate()
            }
            #expect(error == .invalidIndexes("9999_busy_unique.sql", ["busy_unique"]))

            try await pool.execute("DELETE FROM busy WHERE id > 1000")
            #expect(try await migrator.migrate() == ["9999_busy_unique"])
            #expect(try await pool.withConnection { try Migrator.invalidIndexes($0) } == [])
        }
    }

    @Test func aNoTransactionScriptIsSplitIntoItsStatements() {
        let script = """
            -- galley: no-transaction
            CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$ SELECT 'a;b' $body$;
            /* a comment; with a semicolon */
            SELECT 'it''s; here', "odd;name" FROM t;
            -- a trailing comment; nothing more
            """
        #expect(
            SQLStatements.split(script) == [
                "-- galley: no-transaction\nCREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$ SELECT 'a;b' $body$",
                "/* a comment; with a semicolon */\nSELECT 'it''s; here', \"odd;name\" FROM t",
            ])
    }
}
