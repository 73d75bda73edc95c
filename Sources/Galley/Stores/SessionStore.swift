import Crypto
import Foundation
import GalleyCore
import Postgres

/// SQL for desk sessions, passwords and failed sign-ins (sql/0017_desk_sessions.sql).
enum SessionStore {
    /// How long a session may go unused before it ends.
    static let idleLimit: TimeInterval = 12 * 3600
    /// `last_seen_at` moves at most this often.
    static let seenInterval: TimeInterval = 60
    /// Failed sign-ins within `failureWindow` that lock a name, and for how long.
    static let failuresBeforeLock = 5
    static let failureWindow: TimeInterval = 15 * 60
    static let lockDuration: TimeInterval = 15 * 60

    static func secretHash(_ secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }

    /// The person who may sign in as `name` and their stored password hash; nil for a service,
    /// an inactive actor, or a name nobody has.
    static func signInCandidate(name: String) -> StoreRead<(actor: Actor, passwordHash: String?)?> {
        StoreRead(
            sql: "SELECT \(ActorStore.columns), password_hash FROM actors WHERE name = \(name) AND kind = 'person' AND active"
        ) { rows in
            try rows.single.map { (actor: try ActorStore.actor($0), passwordHash: try $0.decode("password_hash")) }
        }
    }

    /// When the lock on `name` ends, if it is locked at `now`.
    static func lockedUntil(name: String, at now: Date) -> StoreRead<Date?> {
        StoreRead(sql: "SELECT locked_until FROM sign_in_locks WHERE name = \(name) AND locked_until > \(now)") { rows in
            try rows.single?.decode("locked_until")
        }
    }

    static func setPassword(_ conn: PostgresConnection, actorID: UUID, hash: String, at now: Date) throws {
        try conn.execute("UPDATE actors SET password_hash = \(hash), password_set_at = \(now) WHERE id = \(actorID)")
    }

    static func insert(
        _ conn: PostgresConnection, id: UUID, actorID: UUID, secretHash: Data, clientAddress: String, userAgent: String, at now: Date
    ) throws {
        try conn.execute(
            """
            INSERT INTO desk_sessions (id, actor_id, secret_hash, created_at, last_seen_at, client_address, user_agent)
            VALUES (\(id), \(actorID), \(secretHash), \(now), \(now), \(clientAddress), \(userAgent))
            """)
    }

    /// Records a failed sign-in for `name` and forgets failures past their window. Returns
    /// when the name is now locked until, if this failure locked it: only one of several
    /// failures racing to the fifth does.
    static func recordFailure(_ conn: PostgresConnection, name: String, at now: Date) throws -> Date? {
        let windowStart = now.addingTimeInterval(-failureWindow)
        let until = now.addingTimeInterval(lockDuration)
        let results = try conn.pipeline([
            "DELETE FROM sign_in_failures WHERE at < \(windowStart)",
            "DELETE FROM sign_in_locks WHERE locked_until < \(windowStart)",
            "INSERT INTO sign_in_failures (name, at) VALUES (\(name), \(now))",
            // Failures before a lock ended count no more.
            """
            WITH counted AS (
                SELECT count(*) AS failures FROM sign_in_failures f
                WHERE f.name = \(name)
                  AND f.at > coalesce((SELECT locked_until FROM sign_in_locks l WHERE l.name = \(name)), '-infinity')
            )
            INSERT INTO sign_in_locks (name, locked_at, locked_until)
            SELECT \(name), \(now), \(until) FROM counted WHERE failures >= \(failuresBeforeLock)
            ON CONFLICT (name) DO UPDATE SET locked_at = EXCLUDED.locked_at, locked_until = EXCLUDED.locked_until
                WHERE sign_in_locks.locked_until <= EXCLUDED.locked_at
            RETURNING locked_until
            """,
        ])
        return try results[3].single?.decode("locked_until")
    }

    /// The person a live session belongs to, with when it was last seen.
    static func visit(secretHash hash: Data, at now: Date) -> StoreRead<(actor: Actor, sessionID: UUID, lastSeenAt: Date)?> {
        StoreRead(
            sql: """
                SELECT \(ActorStore.tokenActorColumns), s.id AS session_id, s.last_seen_at
                \(liveSession(hash, at: now))
                """
        ) { rows in
            try rows.single.map {
                (actor: try ActorStore.actor($0), sessionID: try $0.decode("session_id"), lastSeenAt: try $0.decode("last_seen_at"))
            }
        }
    }

    /// `FROM … WHERE …` of a live session `s` and its actor `a`.
    private static func liveSession(_ hash: Data, at now: Date) -> SQL {
        """
        FROM desk_sessions s JOIN actors a ON a.id = s.actor_id
        WHERE s.secret_hash = \(hash) AND s.ended_at IS NULL AND s.last_seen_at > \(now.addingTimeInterval(-idleLimit))
          AND a.active AND a.kind = 'person'
        """
    }

    /// A condition that holds while the session is live and its actor at the version read,
    /// for each batch of a long answer (`Caller.stillLive`).
    static func isLiveCondition(_ session: RememberedSession, at now: Date) -> SQL {
        "EXISTS (SELECT 1 \(liveSession(session.hash, at: now)) AND a.id = \(session.actorID) AND a.version = \(session.actorVersion))"
    }

    static func touch(_ conn: PostgresConnection, id: UUID, at now: Date) throws {
        try conn.execute("UPDATE desk_sessions SET last_seen_at = \(now) WHERE id = \(id) AND ended_at IS NULL")
    }

    /// Ends the session with this secret; false when no live one has it.
    static func end(_ conn: PostgresConnection, secretHash hash: Data, reason: String, at now: Date) throws -> Bool {
        try conn.query(
            "UPDATE desk_sessions SET ended_at = \(now), ended_reason = \(reason) WHERE secret_hash = \(hash) AND ended_at IS NULL RETURNING id"
        ).single != nil
    }

    /// Ends one session by id; returns its actor's id, nil when no open one has it.
    static func end(_ conn: PostgresConnection, id: UUID, reason: String, at now: Date) throws -> UUID? {
        try conn.query(
            "UPDATE desk_sessions SET ended_at = \(now), ended_reason = \(reason) WHERE id = \(id) AND ended_at IS NULL RETURNING actor_id"
        ).single?.decode("actor_id")
    }

    /// Ends every open session of an actor (deactivation); returns how many.
    static func endAll(_ conn: PostgresConnection, actorID: UUID, reason: String, at now: Date) throws -> Int {
        try conn.query(
            "UPDATE desk_sessions SET ended_at = \(now), ended_reason = \(reason) WHERE actor_id = \(actorID) AND ended_at IS NULL RETURNING id"
        ).count
    }

    /// Live sessions, the most recently seen first; of one actor when `actorID` is given.
    static func live(actorID: UUID?, at now: Date, limit: Int) -> StoreRead<[SessionRecord]> {
        StoreRead(
            sql: """
                SELECT s.id, s.actor_id, a.name AS actor_name, s.created_at, s.last_seen_at, s.client_address, s.user_agent
                FROM desk_sessions s JOIN actors a ON a.id = s.actor_id
                WHERE s.ended_at IS NULL AND s.last_seen_at > \(now.addingTimeInterval(-idleLimit))
                  AND (\(actorID)::uuid IS NULL OR s.actor_id = \(actorID))
                ORDER BY s.last_seen_at DESC, s.id LIMIT \(limit)
                """
        ) { rows in
            try rows.map {
                SessionRecord(
                    id: try $0.decode("id"), actorID: try $0.decode("actor_id"), actorName: try $0.decode("actor_name"),
                    createdAt: try $0.decode("created_at"), lastSeenAt: try $0.decode("last_seen_at"),
                    clientAddress: try $0.decode("client_address"), userAgent: try $0.decode("user_agent"))
            }
        }
    }
}
