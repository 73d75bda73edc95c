import Foundation
import Galley
import Postgres

/// A freshly migrated database of its own for each test, copied from a migrated template
/// (`CREATE DATABASE … TEMPLATE …`), so tests run in parallel and never see each other's rows.
/// The server is found through libpq's `PG*` variables, which `scripts/test` sets; their
/// user owns what the migrations create, as `galley migrate` does.
public enum TestDatabase {
    /// The login role `galley serve` and the editorial CLI run as in production: a member of
    /// `galley_app`, no superuser, owning nothing. Made once per cluster, with the template.
    public static let appLogin = "galley_app_login"

    /// `connectionString` logged in as `appLogin` instead of the owner.
    public static func asApp(_ connectionString: String) -> String {
        "\(connectionString) user=\(appLogin)"
    }

    /// Makes sure `appLogin` exists, for a test that starts from an empty database.
    public static func ensureAppLogin() async throws {
        _ = try await TemplateCache.shared.templateName(on: .current)
    }

    /// Runs `body` with a pool on `connectionString`'s database logged in as `appLogin`,
    /// as the server's pool would be; closes it afterwards.
    public static func withAppPool<Result>(
        _ connectionString: String, size: Int, acquireTimeout: Duration = .seconds(60), observer: (any PostgresObserver)? = nil,
        _ body: (PostgresPool) async throws -> Result
    ) async throws -> Result {
        let pool = PostgresPool(
            configuration: .init(
                connectionString: asApp(connectionString), maxConnections: size, acquireTimeout: acquireTimeout, sharedSessions: 1,
                observer: observer))
        do {
            let result = try await body(pool)
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }

    /// The project's `sql/` folder, found from this file's path.
    public static let migrationsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sql")

    public static func migrations() throws -> [Migration] {
        try Migration.load(from: migrationsDirectory)
    }

    /// Creates an empty database (no migrations applied) and runs `body` with a connection
    /// string to it; drops it afterwards.
    public static func withEmptyDatabase<Result>(
        _ body: (_ connectionString: String) async throws -> Result
    ) async throws -> Result {
        let name = "galley_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin { conn in
            try conn.runScript("CREATE DATABASE " + conn.quoteIdentifier(name))
        }
        do {
            let result = try await body(TestCluster.current.connectionString(database: name))
            try await drop(name)
            return result
        } catch {
            try? await drop(name)
            throw error
        }
    }

    /// Creates a migrated database and runs `body` with a pool on it; drops it afterwards.
    public static func withMigratedDatabase<Result>(
        poolSize: Int = 4,
        acquireTimeout: Duration = .seconds(60),
        _ body: (PostgresPool, _ connectionString: String) async throws -> Result
    ) async throws -> Result {
        let template = try await TemplateCache.shared.templateName(on: .current)
        let name = "galley_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin { conn in
            try conn.runScript("CREATE DATABASE \(try conn.quoteIdentifier(name)) TEMPLATE \(try conn.quoteIdentifier(template))")
        }
        let connectionString = TestCluster.current.connectionString(database: name)
        let pool = PostgresPool(
            // One shared session, as `galley serve` has by default (GALLEY_DB_SHARED_SESSIONS).
            configuration: .init(connectionString: connectionString, maxConnections: poolSize, acquireTimeout: acquireTimeout, sharedSessions: 1))
        do {
            let result = try await body(pool, connectionString)
            await pool.close()
            try await drop(name)
            return result
        } catch {
            await pool.close()
            try? await drop(name)
            throw error
        }
    }

    /// Drops the database, or, when `GALLEY_TEST_KEEP_DATABASES=1` (scripts/test, whose cluster
    /// goes at the end), only ends its sessions: every DROP DATABASE forces a checkpoint and
    /// holds a transaction id through it, which stalled a whole run's parallel tests.
    private static func drop(_ name: String) async throws {
        let keep = ProcessInfo.processInfo.environment["GALLEY_TEST_KEEP_DATABASES"] == "1"
        try await admin { conn in
            if keep {
                _ = try conn.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(name) AND pid <> pg_backend_pid()")
            } else {
                try conn.runScript("DROP DATABASE IF EXISTS \(try conn.quoteIdentifier(name)) WITH (FORCE)")
            }
        }
    }

    /// Runs `body` on a short-lived connection to the maintenance database.
    static func admin<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        let pool = PostgresPool(configuration: .init(connectionString: TestCluster.current.connectionString(database: "postgres"), maxConnections: 1))
        defer { Task { await pool.close() } }
        return try await pool.withConnection(body)
    }
}

/// Builds the migrated template once per process and cluster. Its name carries a digest of
/// the migrations, so a changed `sql/` gets a new template instead of a stale one.
actor TemplateCache {
    static let shared = TemplateCache()
    private var ready: [TestCluster: Task<String, any Error>] = [:]

    func templateName(on cluster: TestCluster) async throws -> String {
        if let task = ready[cluster] { return try await task.value }
        let task = Task { try await TestCluster.$current.withValue(cluster) { try await Self.build() } }
        ready[cluster] = task
        return try await task.value
    }

    private static func build() async throws -> String {
        let migrations = try TestDatabase.migrations()
        let digest = Migration(version: 0, name: "all", script: migrations.map(\.checksum).joined()).checksum.prefix(16)
        let template = "galley_template_\(digest)"
        if try await exists(template) {
            try await createAppLogin()
            return template
        }
        // Build under a name of our own, then rename: a test process racing us either finds
        // the template complete or loses the rename and drops its copy.
        let building = "\(template)_\(getpid())"
        try await TestDatabase.admin { conn in
            try conn.runScript("CREATE DATABASE " + conn.quoteIdentifier(building))
        }
        let pool = PostgresPool(configuration: .init(connectionString: TestCluster.current.connectionString(database: building), maxConnections: 1))
        try await Migrator(pool: pool, migrations: migrations).migrate()
        await pool.close()
        try await createAppLogin()
        try await TestDatabase.admin { conn in
            let quotedBuilding = try conn.quoteIdentifier(building)
            do {
                try conn.runScript("ALTER DATABASE \(quotedBuilding) RENAME TO \(try conn.quoteIdentifier(template))")
            } catch let error as PostgresError where error.sqlState == "42P04" {
                try conn.runScript("DROP DATABASE \(quotedBuilding)")
            }
        }
        return template
    }

    /// The app's login role (roles are the cluster's, and `galley_app` is made by the
    /// migrations): what an operator creates once, as scripts/db does.
    private static func createAppLogin() async throws {
        try await TestDatabase.admin { conn in
            try conn.runScript(
                """
                DO $$
                BEGIN
                    CREATE ROLE \(TestDatabase.appLogin) LOGIN IN ROLE galley_app;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;
                END
                $$;
                """)
        }
    }

    private static func exists(_ database: String) async throws -> Bool {
        try await TestDatabase.admin { conn in
            try !conn.query("SELECT 1 FROM pg_database WHERE datname = \(database)").isEmpty
        }
    }
}
