import ArgumentParser
import Foundation
import Galley
import Postgres

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the sql/ migrations that are pending.")

    @Flag(help: "List applied and pending migrations instead of applying them.")
    var status = false

    func run() async throws {
        let configuration = try loadConfiguration()
        let pool = PostgresPool(configuration: .init(connectionString: configuration.databaseURL, maxConnections: 1))
        defer { Task { await pool.close() } }
        let migrator = try Migrator(pool: pool, migrations: loadMigrations())
        if status {
            for entry in try await migrator.status() {
                print(entry.name.padding(toLength: 40, withPad: " ", startingAt: 0), entry.appliedAt ?? "pending")
            }
        } else {
            let applied = try await migrator.migrate()
            print(applied.isEmpty ? "Nothing to apply; the database is up to date." : "Applied \(applied.joined(separator: ", ")).")
        }
    }
}
