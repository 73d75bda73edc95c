import Foundation
import Postgres

/// SQL for `idempotency_keys`: reservations, their answers, and pruning (sql/0002, sql/0011).
enum IdempotencyStore {
    /// What a key holds: the request it was used for and, once that ended, its answer.
    struct Held: Sendable {
        let fingerprint: String
        /// Nil while the request that reserved the key is still running.
        let answer: (status: Int, body: Data)?
    }

    /// Reserves a key for a request: inserts the key without an answer, or takes over a key
    /// that expired (`expiredBefore`), or whose reservation for the same request ran out
    /// (`abandonedBefore`: its server died). True when this call holds the key.
    static func reserving(
        actorID: UUID, key: String, fingerprint: String, reservation: UUID, at now: Date, expiredBefore: Date, abandonedBefore: Date
    ) -> StoreRead<Bool> {
        StoreRead(
            sql: """
                INSERT INTO idempotency_keys AS k (actor_id, key, fingerprint, reservation, created_at)
                VALUES (\(actorID), \(key), \(fingerprint), \(reservation), \(now))
                ON CONFLICT (actor_id, key) DO UPDATE
                SET fingerprint = EXCLUDED.fingerprint, reservation = EXCLUDED.reservation, status = NULL, body = NULL,
                    created_at = EXCLUDED.created_at
                WHERE k.created_at < \(expiredBefore)
                   OR (k.status IS NULL AND k.created_at < \(abandonedBefore) AND k.fingerprint = EXCLUDED.fingerprint)
                RETURNING 1
                """
        ) { rows in rows.count == 1 }
    }

    static func held(actorID: UUID, key: String) -> StoreRead<Held?> {
        StoreRead(sql: "SELECT fingerprint, status, body FROM idempotency_keys WHERE actor_id = \(actorID) AND key = \(key)") { rows in
            try rows.single.map { row in
                let status: Int? = try row.decode("status")
                let body: Data? = try row.decode("body")
                return Held(fingerprint: try row.decode("fingerprint"), answer: status.flatMap { status in body.map { (status, $0) } })
            }
        }
    }

    /// Stores the answer of the request holding `reservation`; nothing when it no longer holds
    /// the key (it ran past its lease and another request took the key over).
    static func answering(actorID: UUID, key: String, reservation: UUID, status: Int, body: Data) -> StoreRead<Void> {
        StoreRead(
            sql: """
                UPDATE idempotency_keys SET status = \(status), body = \(body), reservation = NULL
                WHERE actor_id = \(actorID) AND key = \(key) AND reservation = \(reservation)
                """
        ) { _ in }
    }

    /// Keeps the reservation from running out while its request still runs.
    static func renewing(actorID: UUID, key: String, reservation: UUID, at now: Date) -> StoreRead<Void> {
        StoreRead(
            sql: """
                UPDATE idempotency_keys SET created_at = \(now)
                WHERE actor_id = \(actorID) AND key = \(key) AND reservation = \(reservation) AND status IS NULL
                """
        ) { _ in }
    }

    /// Gives the key back after its request failed, so that a retry runs.
    static func releasing(actorID: UUID, key: String, reservation: UUID) -> StoreRead<Void> {
        StoreRead(
            sql: """
                DELETE FROM idempotency_keys
                WHERE actor_id = \(actorID) AND key = \(key) AND reservation = \(reservation) AND status IS NULL
                """
        ) { _ in }
    }

    /// Deletes up to `limit` keys created before `expiredBefore`, skipping rows a request holds
    /// locked (one taking the key over); returns how many.
    static func prune(_ conn: PostgresConnection, before expiredBefore: Date, limit: Int) throws -> Int {
        try conn.execute(
            """
            DELETE FROM idempotency_keys
            WHERE (actor_id, key) IN (
                SELECT actor_id, key FROM idempotency_keys WHERE created_at < \(expiredBefore)
                ORDER BY created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            """)
    }
}
