import Crypto
import Foundation
import GalleyCore
import Postgres

/// SQL for desk sessions and failed sign-ins (sql/0017_desk_sessions.sql, sql/0019_desk_session_guards.sql).
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

    /// When the lock on `name` ends, if it is locked at `now`.
    static func lockedUntil(name: String, at now: Date) -> StoreRead<Date?> {
        StoreRead(sql: "SELECT locked_until FROM sign_in_locks WHERE name = \(name) AND locked_until > \(now)") { rows in
            try rows.single?.decode("locked_until")
        }
    }

    /// Starts a session for `actor` if, as it is written, they are still an active person
    /// whose stored password is `passwordHash` (the one checked) and `name` is not locked: a
    /// reset, deactivation or lock that came during the check wins. False when it did not start.
    static func start(
        _ conn: PostgresConnection, id: UUID, actor: Actor, passwordHash: String, secretHash: Data, clientAddress: String, userAgent: String,
        at now: Date
    ) throws -> Bool {
        try conn.query(
            """
            INSERT INTO desk_sessions (id, actor_id, secret_hash, created_at, last_seen_at, client_address, user_agent)
            SELECT \(id), a.id, \(secretHash), \(now), \(now), \(clientAddress), \(userAgent) FROM actors a
            WHERE a.id = \(actor.id) AND a.active AND a.kind = 'person' AND a.password_hash = \(passwordHash)
              AND NOT EXISTS (SELECT 1 FROM sign_in_locks l WHERE l.name = a.name AND l.locked_until > \(now))
            RETURNING id
            """
        ).single != nil
    }

    /// What reserving an attempt found.
    enum Attempt: Equatable {
        /// The attempt is counted as a failure until it succeeds (`release`).
        case reserved
        /// The name is locked until then; `new` when this attempt locked it.
        case locked(until: Date, new: Bool)
    }

    /// Counts an attempt at `name` as a failure before its password is checked, so that
    /// however many arrive at once, at most `failuresBeforeLock` per window get a check; the
    /// one after them locks the name. Attempts at one name take turns (an advisory lock until
    /// the transaction ends), so none counts past another. Forgets failures past their window.
    static func reserveAttempt(_ conn: PostgresConnection, name: String, at now: Date) throws -> Attempt {
        let windowStart = now.addingTimeInterval(-failureWindow)
        let results = try conn.pipeline([
            "SELECT pg_advisory_xact_lock(\(attemptsLock), hashtext(\(name)))",
            "DELETE FROM sign_in_failures WHERE at < \(windowStart)",
            "DELETE FROM sign_in_locks WHERE locked_until < \(windowStart)",
            "SELECT locked_until FROM sign_in_locks WHERE name = \(name) AND locked_until > \(now)",
            "SELECT count(*)::int AS failures \(failuresCounted(name))",
        ])
        if let until: Date = try results[3].single?.decode("locked_until") { return .locked(until: until, new: false) }
        if try results[4][0].decode("failures", as: Int.self) >= failuresBeforeLock {
            let until = try lock(conn, name: name, at: now) ?? now.addingTimeInterval(lockDuration)
            return .locked(until: until, new: true)
        }
        try conn.execute("INSERT INTO sign_in_failures (name, at) VALUES (\(name), \(now))")
        return .reserved
    }

    /// Forgets the failure `reserveAttempt` counted for an attempt that succeeded.
    static func release(_ conn: PostgresConnection, name: String, reservedAt: Date) throws {
        // Failures have no key; any one row of this name and time is this attempt's.
        try conn.execute(
            """
            DELETE FROM sign_in_failures WHERE ctid =
                (SELECT ctid FROM sign_in_failures WHERE name = \(name) AND at = \(reservedAt) LIMIT 1)
            """)
    }

    /// Locks `name` after a failed attempt if its failures now reach `failuresBeforeLock`.
    /// Returns until when, if this call locked it: only one of several failures racing to
    /// the fifth does.
    static func lockIfDue(_ conn: PostgresConnection, name: String, at now: Date) throws -> Date? {
        let failures: Int = try conn.query("SELECT count(*)::int AS failures \(failuresCounted(name))")[0].decode("failures")
        guard failures >= failuresBeforeLock else { return nil }
        return try lock(conn, name: name, at: now)
    }

    /// `FROM … WHERE …` of the failures of `name` that count: in the window, and after any
    /// lock on it ended.
    private static func failuresCounted(_ name: String) -> SQL {
        """
        FROM sign_in_failures f
        WHERE f.name = \(name)
          AND f.at > coalesce((SELECT locked_until FROM sign_in_locks l WHERE l.name = \(name)), '-infinity')
        """
    }

    /// Locks `name` from `now`; nil when a live lock was there already.
    private static func lock(_ conn: PostgresConnection, name: String, at now: Date) throws -> Date? {
        try conn.query(
            """
            INSERT INTO sign_in_locks (name, locked_at, locked_until) VALUES (\(name), \(now), \(now.addingTimeInterval(lockDuration)))
            ON CONFLICT (name) DO UPDATE SET locked_at = EXCLUDED.locked_at, locked_until = EXCLUDED.locked_until
                WHERE sign_in_locks.locked_until <= EXCLUDED.locked_at
            RETURNING locked_until
            """
        ).single?.decode("locked_until")
    }

    /// The key (with the name's hash) of `reserveAttempt`'s advisory lock; no other uses it.
    private static let attemptsLock: Int32 = 0x5349

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

    /// Ends the session with this secret; returns its id and actor's, nil when no open one has it.
    static func end(_ conn: PostgresConnection, secretHash hash: Data, reason: String, at now: Date) throws -> (id: UUID, actorID: UUID)? {
        try conn.query(
            """
            UPDATE desk_sessions SET ended_at = \(now), ended_reason = \(reason)
            WHERE secret_hash = \(hash) AND ended_at IS NULL RETURNING id, actor_id
            """
        ).single.map { (id: try $0.decode("id"), actorID: try $0.decode("actor_id")) }
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
