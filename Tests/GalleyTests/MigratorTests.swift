import Foundation
import Galley
import Postgres
import TestSupport
import Testing

@Suite struct MigratorTests {
    @Test func appliesEveryMigrationOnceAndASecondRunIsANoOp() async throws {
        try await TestDatabase.withEmptyDatabase { connectionString in
            let pool = PostgresPool(configuration: .init(connectionString: connectionString, maxConnections: 1))
            let migrations = try TestDatabase.migrations()
            let migrator = Migrator(pool: pool, migrations: migrations)
            #expect(try await migrator.status().allSatisfy { !$0.isApplied })
            #expect(try await migrator.migrate() == migrations.map(\.name))
            #expect(try await migrator.migrate() == [])
            #expect(try await migrator.status().allSatisfy { $0.isApplied })
            await pool.close()
        }
    }

    @Test func anEditedAppliedMigrationIsRefusedByName() async throws {
        try await TestDatabase.withEmptyDatabase { connectionString in
            let pool = PostgresPool(configuration: .init(connectionString: connectionString, maxConnections: 1))
            var migrations = try TestDatabase.migrations()
            try await Migrator(pool: pool, migrations: migrations).migrate()
            let first = migrations[0]
            migrations[0] = Migration(version: first.version, name: first.name, script: first.script + "\n-- edited\n")
            let error = try await #require(throws: MigrationError.self) {
                try await Migrator(pool: pool, migrations: migrations).migrate()
            }
            #expect(error == .checksumMismatch("\(first.name).sql"))
            #expect(error.description.contains("0001_foundation.sql was changed after it was applied"))
            await pool.close()
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await TestDatabase.withEmptyDatabase { connectionString in
            let pool = PostgresPool(configuration: .init(connectionString: connectionString, maxConnections: 1))
            let migrations =
                try TestDatabase.migrations() + [
                    Migration(version: 9_999, name: "9999_broken", script: "CREATE TABLE half_done (id int); SELECT 1/0;")
                ]
            await #expect(throws: PostgresError.self) { try await Migrator(pool: pool, migrations: migrations).migrate() }
            #expect(try await pool.query("SELECT 1 FROM pg_class WHERE relname = 'half_done'").isEmpty)
            let status = try await Migrator(pool: pool, migrations: migrations).status()
            #expect(status.last?.isApplied == false)
            #expect(status.dropLast().allSatisfy { $0.isApplied })
            await pool.close()
        }
    }

    @Test func aMigrationNumberedBelowTheHighestAppliedIsRefused() async throws {
        try await TestDatabase.withEmptyDatabase { connectionString in
            let pool = PostgresPool(configuration: .init(connectionString: connectionString, maxConnections: 1))
            let applied = try TestDatabase.migrations() + [Migration(version: 9_999, name: "9999_last", script: "CREATE TABLE last_one (id int);")]
            try await Migrator(pool: pool, migrations: applied).migrate()
            let late = applied + [Migration(version: 9_998, name: "9998_forgotten", script: "CREATE TABLE forgotten (id int);")]
            let error = try await #require(throws: MigrationError.self) {
                try await Migrator(pool: pool, migrations: late.sorted { $0.version < $1.version }).migrate()
            }
            #expect(error == .belowApplied("9998_forgotten.sql", highestApplied: "9999_last"))
            #expect(try await pool.query("SELECT 1 FROM pg_class WHERE relname = 'forgotten'").isEmpty)
            await pool.close()

            // `galley migrate` says so and exits 1.
            let folder = NSTemporaryDirectory() + "galley-sql-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            for migration in late { try migration.script.write(toFile: "\(folder)/\(migration.name).sql", atomically: true, encoding: .utf8) }
            let run = try await GalleyBinary.run(["migrate"], environment: ["DATABASE_URL": connectionString, "GALLEY_MIGRATIONS_DIR": folder])
            #expect(run.status == 1)
            #expect(run.stderr.contains("9998_forgotten.sql") && run.stderr.contains("9999_last"), "\(run.stderr)")
        }
    }

    @Test func twoConcurrentMigrateProcessesApplyEachFileOnce() async throws {
        let binary = try GalleyBinary.url()
        try await TestDatabase.withEmptyDatabase { connectionString in
            let runs = try (0..<2).map { _ in
                try GalleyBinary.start(binary, ["migrate"], environment: ["DATABASE_URL": connectionString])
            }
            for run in runs {
                let result = try await run.finish()
                #expect(result.status == 0, "galley migrate failed: \(result.stderr)")
            }
            let pool = PostgresPool(configuration: .init(connectionString: connectionString, maxConnections: 1))
            let rows = try await pool.query("SELECT version, count(*) AS n FROM schema_migrations GROUP BY version")
            #expect(rows.count == (try TestDatabase.migrations()).count)
            #expect(try rows.allSatisfy { try $0.decode("n", as: Int.self) == 1 })
            await pool.close()
        }
    }
}
