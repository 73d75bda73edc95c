import Crypto
import Foundation
import GalleyCore
import Postgres

/// SQL for actors and their tokens.
enum ActorStore {
    static let columns: SQL = "id, name, display_name, kind, roles, created_at, active, sections, version"

    static func actor(_ row: PostgresRow) throws -> Actor {
        let roles = try row.decode("roles", as: [String].self).compactMap(Role.init(rawValue:))
        return Actor(
            id: try row.decode("id"), name: try row.decode("name"), displayName: try row.decode("display_name"),
            kind: try row.enumValue("kind"), roles: roles, createdAt: try row.decode("created_at"),
            active: try row.decode("active"), sections: try row.decode("sections"), version: try row.decode("version"))
    }

    static func insert(_ conn: PostgresConnection, id: UUID, name: String, displayName: String, kind: ActorKind, roles: [Role], at: Date) throws
        -> Actor
    {
        do {
            let row = try conn.query(
                """
                INSERT INTO actors (id, name, display_name, kind, roles, created_at)
                VALUES (\(id), \(name), \(displayName), \(kind.rawValue), \(roles.map(\.rawValue)), \(at))
                RETURNING \(columns)
                """
            )[0]
            return try actor(row)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw GalleyError.conflict("An actor named \(name) already exists; choose another name.")
        }
    }

    /// The person who may sign in as `name` and their stored password hash; nil for a service,
    /// an inactive actor, or a name nobody has.
    static func signInCandidate(name: String) -> StoreRead<(actor: Actor, passwordHash: String?)?> {
        StoreRead(
            sql: "SELECT \(columns), password_hash FROM actors WHERE name = \(name) AND kind = 'person' AND active"
        ) { rows in
            try rows.single.map { (actor: try actor($0), passwordHash: try $0.decode("password_hash")) }
        }
    }

    /// Whether any actor, active or not, has this name.
    static func exists(_ conn: PostgresConnection, name: String) throws -> Bool {
        try conn.query("SELECT 1 FROM actors WHERE name = \(name)").single != nil
    }

    /// Stores a person's desk password hash (sql/0017).
    static func setPassword(_ conn: PostgresConnection, actorID: UUID, hash: String, at now: Date) throws {
        try conn.execute("UPDATE actors SET password_hash = \(hash), password_set_at = \(now) WHERE id = \(actorID)")
    }

    static func find(_ conn: PostgresConnection, name: String) throws -> Actor? {
        try conn.query("SELECT \(columns) FROM actors WHERE name = \(name)").single.map(actor)
    }

    static func fetch(_ conn: PostgresConnection, name: String) throws -> Actor {
        guard let found = try find(conn, name: name) else { throw GalleyError.notFound(kind: "actor", id: name) }
        return found
    }

    static func fetch(_ conn: PostgresConnection, id: UUID) throws -> Actor {
        guard let row = try conn.query("SELECT \(columns) FROM actors WHERE id = \(id)").single else {
            throw GalleyError.notFound(kind: "actor", id: id.uuidString.lowercased())
        }
        return try actor(row)
    }

    static func list(_ conn: PostgresConnection) throws -> [Actor] {
        try conn.query("SELECT \(columns) FROM actors ORDER BY name").map(actor)
    }

    /// Up to `limit` actors by name, after the one named `after`.
    static func page(after name: String, limit: Int) -> StoreRead<[Actor]> {
        StoreRead(sql: "SELECT \(columns) FROM actors WHERE name > \(name) ORDER BY name LIMIT \(limit)") { rows in try rows.map(actor) }
    }

    /// The actor, its row locked until the transaction ends.
    static func lock(_ conn: PostgresConnection, _ reference: ActorService.ActorReference) throws -> Actor {
        let row: PostgresRow? =
            switch reference {
            case .id(let id): try conn.query("SELECT \(columns) FROM actors WHERE id = \(id) FOR UPDATE").single
            case .name(let name): try conn.query("SELECT \(columns) FROM actors WHERE name = \(name) FOR UPDATE").single
            }
        guard let row else { throw GalleyError.notFound(kind: "actor", id: reference.description) }
        return try actor(row)
    }

    /// Writes the actor's new state and moves its version on, so that every server that
    /// remembers the actor by a token finds its copy out of date.
    static func update(
        _ conn: PostgresConnection, id: UUID, displayName: String, roles: [Role], active: Bool, sections: [String], at now: Date
    ) throws -> Actor {
        let row = try conn.query(
            """
            UPDATE actors SET display_name = \(displayName), roles = \(roles.map(\.rawValue)), active = \(active),
                sections = \(sections), version = version + 1, updated_at = \(now)
            WHERE id = \(id) RETURNING \(columns)
            """)[0]
        return try actor(row)
    }

    /// Serialises, until the transaction ends, every change that could take the last active
    /// admin away, so that two admins switching each other off at once cannot both succeed:
    /// the second counts the admins after the first committed.
    static func lockAdminChanges(_ conn: PostgresConnection) throws {
        try conn.execute("SELECT pg_advisory_xact_lock(\(adminChangesLock))")
    }

    /// The key of `lockAdminChanges`; no other advisory lock uses it.
    private static let adminChangesLock: Int64 = 0x6761_6C6C_6579_0018

    /// How many active admins there are besides `id`.
    static func otherActiveAdmins(_ conn: PostgresConnection, besides id: UUID) throws -> Int {
        try conn.query(
            "SELECT count(*)::int AS n FROM actors WHERE active AND 'admin' = ANY (roles) AND id <> \(id)"
        )[0].decode("n")
    }

    // MARK: Tokens

    static func tokenHash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    static func insertToken(_ conn: PostgresConnection, id: UUID, actorID: UUID, hash: Data, label: String, expiresAt: Date?, at: Date) throws {
        try conn.execute(
            """
            INSERT INTO tokens (id, actor_id, token_hash, label, expires_at, created_at)
            VALUES (\(id), \(actorID), \(hash), \(label), \(expiresAt), \(at))
            """)
    }

    /// The actor a live token belongs to. The lookup is by the token's SHA-256, an index
    /// probe on a value that reveals nothing about the token, so timing tells an attacker
    /// nothing useful.
    static func actor(tokenHash hash: Data, at now: Date) -> StoreRead<Actor?> {
        StoreRead(sql: "SELECT \(tokenActorColumns) \(liveToken(hash, at: now))") { rows in try rows.single.map(actor) }
    }

    /// Whether the remembered token is live and its actor still as remembered.
    static func isLive(_ token: RememberedToken, at now: Date) -> StoreRead<Bool> {
        StoreRead(sql: "SELECT \(isLiveCondition(token, at: now)) AS live") { rows in
            try rows.single?.decode("live", as: Bool.self) ?? false
        }
    }

    /// Whether a caller's liveness condition (`Caller.stillLive`) holds now.
    static func holds(_ condition: SQL) -> StoreRead<Bool> {
        StoreRead(sql: "SELECT \(condition) AS live") { rows in try rows.single?.decode("live", as: Bool.self) ?? false }
    }

    /// A condition that holds while the remembered token is live and its actor is at the
    /// version remembered (any change to the actor — roles, desk, activity — moves it), for
    /// a statement that confirms a remembered token in passing.
    static func isLiveCondition(_ token: RememberedToken, at now: Date) -> SQL {
        "EXISTS (SELECT 1 \(liveToken(token.hash, at: now)) AND a.id = \(token.actorID) AND a.version = \(token.actorVersion))"
    }

    /// A condition that holds while the actor is active and at `version`, for a caller named
    /// as an actor without a token.
    static func isUnchangedCondition(id: UUID, version: Int) -> SQL {
        "EXISTS (SELECT 1 FROM actors a WHERE a.id = \(id) AND a.active AND a.version = \(version))"
    }

    /// The columns `actor(_:)` reads, from the actor `a` of `liveToken`.
    static let tokenActorColumns: SQL = "a.id, a.name, a.display_name, a.kind, a.roles, a.created_at, a.active, a.sections, a.version"

    /// `FROM … WHERE …` naming the actor `a` of a live token with this hash: the one
    /// definition of a token that authenticates, for statements that add columns to it.
    static func liveToken(_ hash: Data, at now: Date) -> SQL {
        """
        FROM tokens t JOIN actors a ON a.id = t.actor_id
        WHERE t.token_hash = \(hash) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > \(now)) AND a.active
        """
    }

    /// An actor's tokens oldest first; or, given `newest`, at most that many, newest first.
    static func tokens(_ conn: PostgresConnection, actorID: UUID, newest limit: Int? = nil) throws -> [TokenRecord] {
        let sql: SQL =
            if let limit {
                """
                SELECT id, actor_id, label, created_at, expires_at, last_used_at, revoked_at FROM tokens
                WHERE actor_id = \(actorID) ORDER BY created_at DESC, id DESC LIMIT \(max(limit, 0))
                """
            } else {
                """
                SELECT id, actor_id, label, created_at, expires_at, last_used_at, revoked_at FROM tokens
                WHERE actor_id = \(actorID) ORDER BY created_at, id
                """
            }
        return try conn.query(sql).map { row in
            TokenRecord(
                id: try row.decode("id"), actorID: try row.decode("actor_id"), label: try row.decode("label"),
                createdAt: try row.decode("created_at"), expiresAt: try row.decode("expires_at"),
                lastUsedAt: try row.decode("last_used_at"), revokedAt: try row.decode("revoked_at"))
        }
    }

    /// Records when tokens were last used: each row moves only forward, and only a live
    /// token's use is recorded.
    static func recordUse(_ uses: [(hash: Data, at: Date)]) -> SQL {
        """
        UPDATE tokens t SET last_used_at = u.at
        FROM unnest(\(TextArray(uses.map(\.hash)))::bytea[], \(TextArray(uses.map(\.at)))::timestamptz[]) AS u (hash, at)
        WHERE t.token_hash = u.hash AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > u.at)
          AND (t.last_used_at IS NULL OR t.last_used_at < u.at) AND EXISTS (SELECT 1 FROM actors a WHERE a.id = t.actor_id AND a.active)
        """
    }

    /// Revokes a token; returns its owner, or nil when there is no live token with that id.
    static func revokeToken(_ conn: PostgresConnection, id: UUID, at: Date) throws -> UUID? {
        try conn.query(
            "UPDATE tokens SET revoked_at = \(at) WHERE id = \(id) AND revoked_at IS NULL RETURNING actor_id"
        ).single?.decode("actor_id")
    }

    /// Revokes every live token of the actor; answers how many.
    static func revokeTokens(_ conn: PostgresConnection, actorID: UUID, at now: Date) throws -> Int {
        try conn.query(
            """
            UPDATE tokens SET revoked_at = \(now)
            WHERE actor_id = \(actorID) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > \(now)) RETURNING id
            """
        ).count
    }

    /// The actor with this name, or else this id, held as read until the transaction ends: a
    /// change to the actor (switching them off) waits for it, or it waits for that change and
    /// reads it.
    static func sharing(namedOrIdentified nameOrID: String) -> StoreRead<Actor?> {
        let id = UUIDFormat.parse(nameOrID)
        return StoreRead(
            sql: "SELECT \(columns) FROM actors WHERE name = \(nameOrID) OR id = \(id) ORDER BY name = \(nameOrID) DESC LIMIT 1 FOR SHARE"
        ) { rows in try rows.single.map(actor) }
    }
}
