import Postgres

/// The database role a process is logged in as, and whether it holds more than the app's
/// grants: a superuser, or a role that owns (or may act as the owner of) Galley's tables,
/// can switch off the triggers that keep history append-only. `galley serve` should run as
/// a login role that is only a member of `galley_app` (sql/0013_app_role.sql).
public struct DatabaseLogin: Sendable, Equatable {
    public let role: String
    public let isSuperuser: Bool
    /// Tables of the current schema this role owns, or may `SET ROLE` to the owner of.
    public let ownedTables: [String]

    public init(role: String, isSuperuser: Bool, ownedTables: [String]) {
        self.role = role
        self.isSuperuser = isSuperuser
        self.ownedTables = ownedTables
    }

    /// Whether this login can rewrite history despite the audit log's triggers.
    public var canRewriteHistory: Bool { isSuperuser || !ownedTables.isEmpty }

    public static func inspect(_ pool: PostgresPool) async throws -> DatabaseLogin {
        let row = try await pool.query(
            """
            SELECT current_user::text AS role, r.rolsuper AS superuser,
                   coalesce((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
                             WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
                               AND pg_has_role(current_user, c.relowner, 'MEMBER')), '{}') AS owned
            FROM pg_roles r WHERE r.rolname = current_user
            """)[0]
        return DatabaseLogin(role: try row.decode("role"), isSuperuser: try row.decode("superuser"), ownedTables: try row.decode("owned"))
    }

    /// What to tell the operator when this login can rewrite history, else nil.
    public var warning: String? {
        guard canRewriteHistory else { return nil }
        let named = ownedTables.prefix(3).joined(separator: ", ") + (ownedTables.count > 3 ? ", …" : "")
        let power = isSuperuser ? "a superuser" : "the owner of \(named)"
        return """
            connected to PostgreSQL as "\(role)", \(power): this process could switch off the triggers that keep \
            the audit log append-only. Serve as a login role that is a member of galley_app and owns nothing \
            (DATABASE_URL), and migrate as the owner (GALLEY_MIGRATE_URL); see README's configuration
            """
    }
}
