import Foundation
import TestSupport
import Testing

/// `galley migrate` runs as the owner (GALLEY_MIGRATE_URL); everything else as the app's login.
@Suite struct MigrateCommandTests {
    @Test func migrationsRunAsTheOwnerAndTheAppsLoginIsToldSo() async throws {
        try await TestDatabase.ensureAppLogin()
        try await TestDatabase.withEmptyDatabase { owner in
            let app = TestDatabase.asApp(owner)
            let refused = try await GalleyBinary.run(["migrate"], environment: ["DATABASE_URL": app, "GALLEY_MIGRATE_URL": ""])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("permission denied"), "\(refused.stderr)")
            #expect(refused.stderr.contains("GALLEY_MIGRATE_URL"), "\(refused.stderr)")

            let migrated = try await GalleyBinary.run(["migrate"], environment: ["DATABASE_URL": app, "GALLEY_MIGRATE_URL": owner])
            #expect(migrated.status == 0, "\(migrated.stderr)")
            #expect(migrated.stdout.contains("Applied"))
            let status = try await GalleyBinary.run(["migrate", "--status"], environment: ["DATABASE_URL": app, "GALLEY_MIGRATE_URL": owner])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(!status.stdout.contains("pending"))

            // The app's login then works with what the migrations granted it.
            let created = try await GalleyBinary.run(
                ["actors", "add", "ada", "--role", "admin"], environment: ["DATABASE_URL": app, "GALLEY_MIGRATE_URL": ""])
            #expect(created.status == 0, "\(created.stderr)")
        }
    }
}
