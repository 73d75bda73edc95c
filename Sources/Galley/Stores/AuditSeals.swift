import Foundation
import GalleyCore
import Postgres

/// The audit log's seals (`audit_seals`, `audit_sealed_heads`) and the reads that verify the
/// log against them: see docs/audit.md.
extension AuditStore {
    /// An arbitrary constant naming the sealing lock among advisory locks ("seal").
    private static let sealLock = 0x7365_616c

    /// A seal just recorded: what its signature covers, and how many heads it lists.
    struct Recorded: Sendable {
        let id: Int
        let at: Date
        let chains: Int
        let hash: String
        let prevHash: String
        let heads: Int
    }

    /// Records a seal over the chain heads that moved since the previous seal, or nothing
    /// when none moved or the previous seal is younger than `seconds` (another server's
    /// sealer just sealed).
    static func seal(_ conn: PostgresConnection, unlessSealedWithin seconds: Double? = nil) throws -> Recorded? {
        // One sealer at a time, so that seals form a single chain.
        try conn.execute("SELECT pg_advisory_xact_lock(\(sealLock))")
        if let seconds {
            let recent = try conn.query(
                "SELECT (SELECT sealed_at FROM audit_seals ORDER BY id DESC LIMIT 1) > now() - make_interval(secs => \(seconds)) AS recent"
            ).single?.decode("recent", as: Bool?.self)
            if recent == true { return nil }
        }
        // Only heads moved by transactions the last seal may not have seen are compared:
        // `moved_xid` at or after its `xmin_bound` (sql/0010), so a seal costs what moved,
        // not the newsroom's history. Passed as a value, so that the plan is made for it
        // (an index range of the recent moves; a bound the planner cannot see looks like
        // a third of all heads, for which it would read them all).
        let bound =
            try conn.query(
                "SELECT COALESCE((SELECT xmin_bound FROM audit_seals ORDER BY id DESC LIMIT 1), '0'::xid8)::text AS xid"
            ).single?.decode("xid", as: String.self) ?? "0"
        // Built and hashed by PostgreSQL as `AuditVerifier.sealHash` does, from those heads
        // whose position is not the one last sealed (`audit_sealed_heads`); a head that
        // moves while this runs is recorded at the position listed here, so the next seal
        // lists it again. `chains` counts the chains sealed so far: the previous seal's
        // count (or, after a seal made before sql/0018, every sealed chain) plus the chains
        // sealed for the first time.
        let rows = try conn.query(
            """
            WITH candidates AS (
                SELECT h.chain, h.seq, h.hash, (SELECT s.seq FROM audit_sealed_heads s WHERE s.chain = h.chain) AS sealed_seq
                FROM audit_chain_heads h
                WHERE h.moved_xid >= \(bound)::xid8
            ), moved AS (
                SELECT chain, seq, hash, sealed_seq FROM candidates WHERE sealed_seq IS DISTINCT FROM seq
            ), now_heads AS (
                SELECT jsonb_agg(jsonb_build_array(chain, seq, hash) ORDER BY chain) AS heads,
                       string_agg(chain || ' ' || seq || ' ' || hash || chr(10), '' ORDER BY chain) AS text,
                       count(*) FILTER (WHERE sealed_seq IS NULL) AS new_chains
                FROM moved
            ), last AS (SELECT hash, chains FROM audit_seals ORDER BY id DESC LIMIT 1),
            sealed AS (
                INSERT INTO audit_seals (heads, prev_hash, hash, xmin_bound, chains)
                SELECT n.heads, COALESCE(l.hash, ''),
                       encode(sha256(convert_to('galley-seal/1' || chr(10) || COALESCE(l.hash, '') || chr(10) || n.text, 'UTF8')), 'hex'),
                       pg_snapshot_xmin(pg_current_snapshot()),
                       COALESCE(l.chains, (SELECT count(*) FROM audit_sealed_heads)) + n.new_chains
                FROM now_heads n LEFT JOIN last l ON true
                WHERE n.heads IS NOT NULL
                RETURNING id, sealed_at, chains, hash, prev_hash, jsonb_array_length(heads) AS heads
            ), marked AS (
                INSERT INTO audit_sealed_heads (chain, seq) SELECT chain, seq FROM moved
                ON CONFLICT (chain) DO UPDATE SET seq = EXCLUDED.seq
            )
            SELECT * FROM sealed
            """)
        return try rows.single.map { row in
            Recorded(
                id: try row.decode("id"), at: try row.decode("sealed_at"), chains: try row.decode("chains"),
                hash: try row.decode("hash"), prevHash: try row.decode("prev_hash"), heads: try row.decode("heads"))
        }
    }

    /// A seal as stored: its heads are the text of a JSON list of `[chain, seq, hash]` arrays,
    /// as the database built and prints them (`SealHeads` reads it).
    struct Seal: Sendable {
        let id: Int
        let heads: String
        let prevHash: String
        let hash: String
    }

    /// Every seal after `afterID`, oldest first.
    static func seals(_ conn: PostgresConnection, afterID: Int = 0) throws -> [Seal] {
        try conn.query("SELECT id, heads::text AS heads, prev_hash, hash FROM audit_seals WHERE id > \(afterID) ORDER BY id").map { row in
            Seal(id: try row.decode("id"), heads: try row.decode("heads"), prevHash: try row.decode("prev_hash"), hash: try row.decode("hash"))
        }
    }

    /// Up to `limit` events after the event `afterID` in id order, as the server's bytes in
    /// `AuditBatch.Column` order. Id order is the table's physical order: each page read
    /// once. A newsroom's chains interleave, so in chain order nearly every event read a page
    /// of its own (docs/decisions.md).
    static func idOrderBatch(_ conn: PostgresConnection, afterID: Int, limit: Int) throws -> AuditBatch {
        let sql: SQL = "SELECT \(batchColumns) FROM audit_events WHERE id > \(afterID) ORDER BY id LIMIT \(limit)"
        return AuditBatch(rows: try conn.query(sql.inBinary()))
    }

    /// An event's columns as `AuditBatch.Column` numbers them, read in binary
    /// (`SQL.inBinary`): id, seq and the time arrive as numbers (the time as microseconds
    /// since 2000, exact), which the server need not print, and the rest as text. Printing the
    /// time and the numbers was a third of what the server spent on each event.
    static let batchColumns: SQL = """
        id, chain, seq, prev_hash, hash, actor_id::text AS actor_id, actor_name, action,
        article_id::text AS article_id, revision::text AS revision, from_state, to_state, reason,
        details::text AS details, request_id, at
        """
}

extension AuditBatch {
    /// Column positions in `AuditStore.idOrderBatch`'s result.
    enum Column {
        static let id = 0, chain = 1, seq = 2, prevHash = 3, hash = 4
        /// actor_id … request_id, in canonical order.
        static let fields = 5...14
        static let at = 15
    }
}
