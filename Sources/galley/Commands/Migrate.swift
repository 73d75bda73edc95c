import ArgumentParser
import Foundation
import Galley
import Postgres

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the sql/ migrations that are pending.")

    @Flag(help: "List applied and pending migrations instead of applying them.")
    var status = false

    @OptionGroup var output: OutputOptions

    private struct Entry: Encodable {
        let name: String
        let appliedAt: String?
        private enum CodingKeys: String, CodingKey {
            case name
            case appliedAt = "applied_at"
        }
    }

    func run() async throws {
        let configuration = try loadConfiguration()
        let pool = PostgresPool(configuration: .init(connectionString: configuration.migrateURL, maxConnections: 1))
        do {
            let migrator = Migrator(
                pool: pool, migrations: try loadMigrations(), lockTimeout: .milliseconds(Int(configuration.migrationLockTimeout * 1000)))
            try await migrate(migrator, pool: pool)
            await pool.close()
        } catch let error as PostgresError where error.sqlState == SQLState.insufficientPrivilege {
            await pool.close()
            throw CLIError(
                "The database refused the migration: \(error.message).",
                hint: "Migrations create and alter Galley's tables, so they run as the owner: set GALLEY_MIGRATE_URL to the owner's "
                    + "URL (DATABASE_URL stays the app's login).",
                status: .failed)
        } catch {
            await pool.close()
            throw error
        }
    }

    private func migrate(_ migrator: Migrator, pool: PostgresPool) async throws {
        if status {
            let entries = try await migrator.status()
            if output.json {
                try Output.json(entries.map { Entry(name: $0.name, appliedAt: $0.appliedAt) })
            } else {
                Output.table(["migration", "applied"], entries.map { [$0.name, $0.appliedAt ?? "pending"] })
            }
        } else {
            let applied = try await migrator.migrate()
            // Every run decides the queue again from what is stored (idempotent): the first
            // build over articles already waiting, and a repair after a run that failed.
            try await GalleyServices(pool: pool).queue.rebuild(by: Caller(principal: .operator(osUser: Session.osUser)))
            if output.json {
                try Output.json(["applied": applied])
            } else {
                Output.line(applied.isEmpty ? "Nothing to apply; the database is up to date." : "Applied \(applied.joined(separator: ", ")).")
            }
        }
    }
}
