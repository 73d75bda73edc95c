import Foundation
import GalleyCore
import Postgres

/// What verification has vouched for (`audit_verifications`, `audit_verified_through`,
/// `audit_verified_heads`, sql/0029), and the reads an incremental verification makes.
extension AuditStore {
    /// An arbitrary constant naming the lock among advisory locks ("veri"): one verification
    /// records at a time.
    private static let verificationLock = 0x7665_7269

    /// How far the log is verified.
    struct VerifiedThrough: Sendable {
        let version: Int
        let verifiedAt: Date
        /// The xmin of that verification's snapshot: every chain moved since was moved by a
        /// transaction at or after it.
        let xminBound: String
        let sealID: Int
        let sealHash: String
    }

    /// Where a verification got to, to record once it found the log intact.
    struct VerifiedPoint: Sendable {
        /// The `VerifiedThrough.version` its snapshot saw (nil: none yet): it is recorded only
        /// if no other verification recorded since.
        let continuesVersion: Int?
        let verifiedAt: Date
        let xminBound: String
        let sealID: Int
        let sealHash: String
        /// The chains whose verified position moves, at their new position.
        let positions: [AuditVerifier.Head]
    }

    static func verifiedThrough(_ conn: PostgresConnection) throws -> VerifiedThrough? {
        try conn.query(
            "SELECT version, verified_at, xmin_bound::text AS xmin_bound, seal_id, seal_hash FROM audit_verified_through"
        ).single.map { row in
            VerifiedThrough(
                version: try row.decode("version"), verifiedAt: try row.decode("verified_at"), xminBound: try row.decode("xmin_bound"),
                sealID: try row.decode("seal_id"), sealHash: try row.decode("seal_hash"))
        }
    }

    static func lastFullVerification(_ conn: PostgresConnection) throws -> AuditVerification.Full? {
        try conn.query(
            """
            SELECT id, started_at, finished_at, verified_by, events_checked, seals_checked, ok
            FROM audit_verifications ORDER BY id DESC LIMIT 1
            """
        ).single.map(full)
    }

    private static func full(_ row: PostgresRow) throws -> AuditVerification.Full {
        AuditVerification.Full(
            id: try row.decode("id"), startedAt: try row.decode("started_at"), finishedAt: try row.decode("finished_at"),
            verifiedBy: try row.decode("verified_by"), eventsChecked: try row.decode("events_checked"),
            sealsChecked: try row.decode("seals_checked"), ok: try row.decode("ok"))
    }

    /// The xmin of the transaction's snapshot (`VerifiedThrough.xminBound`).
    static func snapshotBound(_ conn: PostgresConnection) throws -> String {
        try conn.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xid").single?.decode("xid") ?? "0"
    }

    /// Every chain's last event, and whether its verified position is that event.
    static func chainHeads(_ conn: PostgresConnection) throws -> ChainHeadRows {
        ChainHeadRows(
            rows: try conn.query(
                """
                SELECT h.chain, h.seq, h.hash, v.seq IS NOT DISTINCT FROM h.seq AND v.hash IS NOT DISTINCT FROM h.hash AS verified
                FROM audit_chain_heads h LEFT JOIN audit_verified_heads v ON v.chain = h.chain
                WHERE h.seq > 0
                ORDER BY h.chain
                """))
    }

    /// A chain moved since a verification: its head now, and the position verified (nil for
    /// a chain it did not know).
    struct MovedChain: Sendable {
        let head: AuditVerifier.Head
        let verified: AuditVerifier.Head?
    }

    /// The chains moved by transactions at or after `bound`, in chain order: through the
    /// index on `moved_xid` (sql/0010), as the seals find them, never every head. The bound
    /// is a value, so that the plan is made for it (an index range of the recent moves).
    static func movedChains(_ conn: PostgresConnection, since bound: String) throws -> [MovedChain] {
        try conn.query(
            """
            SELECT h.chain, h.seq, h.hash, v.seq AS verified_seq, v.hash AS verified_hash
            FROM audit_chain_heads h LEFT JOIN audit_verified_heads v ON v.chain = h.chain
            WHERE h.moved_xid >= \(bound)::xid8 AND h.seq > 0
            ORDER BY h.chain
            """
        ).map { row in
            let chain: String = try row.decode("chain")
            let verified = try row.decode("verified_seq", as: Int?.self).map { seq in
                AuditVerifier.Head(chain: chain, seq: seq, hash: try row.decode("verified_hash"))
            }
            return MovedChain(head: .init(chain: chain, seq: try row.decode("seq"), hash: try row.decode("hash")), verified: verified)
        }
    }

    /// Up to `limit` events of the given chains after the given positions, in chain order
    /// (the chains listed in that order), as `idOrderBatch`'s.
    static func eventsAfter(_ conn: PostgresConnection, _ positions: [(chain: String, seq: Int)], limit: Int) throws -> AuditBatch {
        let sql: SQL = """
            SELECT e.* FROM unnest(\(TextArray(positions.map(\.chain)))::text[], \(TextArray(positions.map(\.seq)))::bigint[]) AS m(chain, after_seq)
            CROSS JOIN LATERAL (
                SELECT \(batchColumns) FROM audit_events WHERE chain = m.chain AND seq > m.after_seq ORDER BY seq LIMIT \(limit)
            ) e
            ORDER BY e.chain, e.seq LIMIT \(limit)
            """
        return AuditBatch(rows: try conn.query(sql.inBinary()))
    }

    /// The id and stored hash of the event at each position, nil for those missing.
    static func eventHashes(_ conn: PostgresConnection, at positions: [AuditVerifier.Head]) throws -> [(id: Int?, hash: String?)] {
        guard !positions.isEmpty else { return [] }
        return try conn.query(
            """
            SELECT e.id, e.hash FROM unnest(\(TextArray(positions.map(\.chain)))::text[], \(TextArray(positions.map(\.seq)))::bigint[])
                WITH ORDINALITY AS m(chain, seq, n)
            LEFT JOIN audit_events e ON e.chain = m.chain AND e.seq = m.seq
            ORDER BY m.n
            """
        ).map { row in (try row.decode("id"), try row.decode("hash")) }
    }

    /// Records a full verification, whatever it found.
    static func recordFullVerification(
        _ conn: PostgresConnection, _ report: AuditVerifier.Report, startedAt: Date, finishedAt: Date, by verifier: String
    ) throws -> AuditVerification.Full {
        let broken: JSONValue? = report.firstBroken.map { broken in
            [
                "event_id": broken.eventID.map { .number(Double($0)) } ?? .null, "chain": .string(broken.chain),
                "seq": .number(Double(broken.seq)), "problem": .string(broken.problem),
            ]
        }
        let row = try conn.query(
            """
            INSERT INTO audit_verifications (started_at, finished_at, verified_by, events_checked, seals_checked, ok, first_broken)
            VALUES (\(startedAt), \(finishedAt), \(verifier), \(report.eventsChecked), \(report.sealsChecked), \(report.ok), \(broken)::jsonb)
            RETURNING id, started_at, finished_at, verified_by, events_checked, seals_checked, ok
            """
        ).single
        guard let row else { throw PostgresError(kind: .server, message: "INSERT … RETURNING returned no row") }
        return try full(row)
    }

    /// Moves the verified positions and bound on to `point`, unless another verification
    /// recorded since `point`'s snapshot (it then stays that one's: positions and bound always
    /// come from one verification). Whether it moved.
    @discardableResult
    static func moveVerifiedThrough(_ conn: PostgresConnection, to point: VerifiedPoint) throws -> Bool {
        try conn.execute("SELECT pg_advisory_xact_lock(\(verificationLock))")
        guard try verifiedThrough(conn)?.version == point.continuesVersion else { return false }
        for start in stride(from: 0, to: point.positions.count, by: 10_000) {
            let part = point.positions[start..<min(start + 10_000, point.positions.count)]
            try conn.execute(
                """
                INSERT INTO audit_verified_heads (chain, seq, hash)
                SELECT * FROM unnest(\(TextArray(part.map(\.chain)))::text[], \(TextArray(part.map(\.seq)))::bigint[],
                                     \(TextArray(part.map(\.hash)))::text[])
                ON CONFLICT (chain) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash
                """)
        }
        try conn.execute(
            """
            INSERT INTO audit_verified_through (version, verified_at, xmin_bound, seal_id, seal_hash)
            VALUES (1, \(point.verifiedAt), \(point.xminBound)::xid8, \(point.sealID), \(point.sealHash))
            ON CONFLICT (only_row) DO UPDATE SET version = audit_verified_through.version + 1, verified_at = EXCLUDED.verified_at,
                xmin_bound = EXCLUDED.xmin_bound, seal_id = EXCLUDED.seal_id, seal_hash = EXCLUDED.seal_hash
            """)
        return true
    }
}
