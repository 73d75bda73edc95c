import Foundation
import GalleyCore
import Postgres

/// SQL for what reviewers record: verdicts, claims, approvals.
enum ReviewStore {
    // MARK: Verifications

    /// Inserts a verdict and returns it as stored (a read, so that it can share a pipeline).
    static func insertVerification(
        id: UUID, articleID: UUID, revision: Int, checkpoint: String, verdict: Verdict,
        contentHash: String, actorID: UUID, note: String, evidence: [Evidence], at: Date
    ) -> StoreRead<Verification> {
        StoreRead(
            sql: """
                WITH v AS (
                    INSERT INTO verifications (id, article_id, revision, checkpoint, verdict, content_hash, actor_id, note, evidence, created_at)
                    VALUES (\(id), \(articleID), \(revision), \(checkpoint), \(verdict.rawValue), \(contentHash), \(actorID), \(note),
                            \(JSONB(evidence)), \(at))
                    RETURNING *)
                SELECT v.*, a.name AS actor_name FROM v JOIN actors a ON a.id = v.actor_id
                """
        ) { rows in try verification(rows[0]) }
    }

    static func verification(_ row: PostgresRow) throws -> Verification {
        Verification(
            id: try row.decode("id"), articleID: try row.decode("article_id"), revision: try row.decode("revision"),
            checkpoint: try row.decode("checkpoint"), verdict: try row.enumValue("verdict"),
            contentHash: try row.decode("content_hash"), actor: try row.decode("actor_name"), note: try row.decode("note"),
            evidence: try row.json("evidence"), createdAt: try row.decode("created_at"))
    }

    /// The newest verdict per checkpoint on one revision.
    static func latestVerdicts(articleID: UUID, revision: Int) -> StoreRead<[RecordedVerdict]> {
        latestVerdicts(articleID: articleID, revision: "\(revision)")
    }

    /// `revision` is a number or a subquery giving one.
    static func latestVerdicts(articleID: UUID, revision: SQL) -> StoreRead<[RecordedVerdict]> {
        StoreRead(sql: latestVerdictsQuery(articleID: "\(articleID)", revision: revision)) { rows in
            try rows.map { row in
                RecordedVerdict(
                    checkpoint: try row.decode("checkpoint"), verdict: try row.enumValue("verdict"),
                    contentHash: try row.decode("content_hash"), actorName: try row.decode("actor_name"),
                    recordedAt: try row.decode("created_at"))
            }
        }
    }

    /// The newest verdict per checkpoint, with the recording actor's name (`checkpoint`,
    /// `verdict`, `content_hash`, `actor_name`, `created_at`); `articleID` and `revision` are
    /// parameters, subqueries or an outer query's columns.
    static func latestVerdictsQuery(articleID: SQL, revision: SQL) -> SQL {
        """
        SELECT DISTINCT ON (v.checkpoint) v.checkpoint, v.verdict, v.content_hash, va.name AS actor_name, v.created_at
        FROM verifications v JOIN actors va ON va.id = v.actor_id
        WHERE v.article_id = \(articleID) AND v.revision = \(revision)
        ORDER BY v.checkpoint, v.created_at DESC
        """
    }

    /// An article's verdicts oldest first: all, or only the `newest` so many.
    static func verifications(_ conn: PostgresConnection, articleID: UUID, newest limit: Int? = nil) throws -> [Verification] {
        guard let limit else {
            return try conn.query(
                """
                SELECT v.*, a.name AS actor_name FROM verifications v JOIN actors a ON a.id = v.actor_id
                WHERE v.article_id = \(articleID) ORDER BY v.created_at, v.id
                """
            ).map(verification)
        }
        return try conn.query(
            """
            SELECT v.*, a.name AS actor_name FROM verifications v JOIN actors a ON a.id = v.actor_id
            WHERE v.article_id = \(articleID) ORDER BY v.created_at DESC, v.id DESC LIMIT \(max(limit, 0))
            """
        ).map(verification).reversed()
    }

    // MARK: Claims

    static let claimColumns: SQL = "id, article_id, revision, text, status, evidence, created_at, updated_at"

    static func claim(_ row: PostgresRow) throws -> Claim {
        Claim(
            id: try row.decode("id"), articleID: try row.decode("article_id"), revision: try row.decode("revision"),
            text: try row.decode("text"), status: try row.enumValue("status"), evidence: try row.json("evidence"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    static func insertClaim(_ conn: PostgresConnection, id: UUID, articleID: UUID, revision: Int, text: String, actorID: UUID, at: Date) throws
        -> Claim
    {
        try claim(
            conn.query(
                """
                INSERT INTO claims (id, article_id, revision, text, created_by, updated_by, created_at, updated_at)
                VALUES (\(id), \(articleID), \(revision), \(text), \(actorID), \(actorID), \(at), \(at))
                RETURNING \(claimColumns)
                """
            )[0])
    }

    static func updateClaim(
        _ conn: PostgresConnection, id: UUID, articleID: UUID, status: ClaimStatus, evidence: [Evidence]?, actorID: UUID, at: Date
    ) throws -> (before: ClaimStatus, after: Claim) {
        guard
            let row = try conn.query(
                """
                UPDATE claims c SET status = \(status.rawValue), evidence = COALESCE(\(evidence.map { JSONB($0) }), c.evidence),
                    updated_by = \(actorID), updated_at = \(at)
                FROM claims old WHERE c.id = old.id AND c.id = \(id) AND c.article_id = \(articleID)
                RETURNING c.id, c.article_id, c.revision, c.text, c.status, c.evidence, c.created_at, c.updated_at,
                    old.status AS old_status
                """
            ).single
        else {
            throw GalleyError.notFound(kind: "claim", id: id.uuidString.lowercased())
        }
        return (try row.enumValue("old_status"), try claim(row))
    }

    static func claims(_ conn: PostgresConnection, articleID: UUID, revision: Int? = nil) throws -> [Claim] {
        try conn.read(claims(articleID: articleID, revision: revision))
    }

    static func claims(articleID: UUID, revision: Int?) -> StoreRead<[Claim]> {
        claims(articleID: articleID, revision: revision.map { "\($0)" })
    }

    /// `revision` is a number or a subquery giving one; nil for every revision's claims.
    static func claims(articleID: UUID, revision: SQL?, limit: Int? = nil) -> StoreRead<[Claim]> {
        var sql: SQL = "SELECT \(claimColumns) FROM claims WHERE article_id = \(articleID)"
        if let revision { sql.append(" AND revision = \(revision)") }
        sql.append(" ORDER BY created_at, id")
        if let limit { sql.append(" LIMIT \(max(limit, 0))") }
        return StoreRead(sql: sql) { rows in try rows.map(claim) }
    }

    // MARK: Approvals

    static func insertApproval(articleID: UUID, revision: Int, contentHash: String, approverID: UUID, at: Date) -> SQL {
        """
        INSERT INTO approvals (article_id, revision, content_hash, approver_id, created_at)
        VALUES (\(articleID), \(revision), \(contentHash), \(approverID), \(at))
        """
    }

    /// Who approved this revision's exact text last, if anyone.
    static func approver(articleID: UUID, revision: Int) -> StoreRead<UUID?> {
        approver(articleID: articleID, revision: "\(revision)")
    }

    /// Who approved the exact text of the article's current revision last, if anyone.
    static func approverOfCurrentRevision(articleID: UUID) -> StoreRead<UUID?> {
        approver(articleID: articleID, revision: ArticleStore.currentRevision(of: articleID))
    }

    private static func approver(articleID: UUID, revision: SQL) -> StoreRead<UUID?> {
        StoreRead(
            sql: """
                SELECT ap.approver_id FROM approvals ap
                JOIN revisions r ON r.article_id = ap.article_id AND r.number = ap.revision AND r.content_hash = ap.content_hash
                WHERE ap.article_id = \(articleID) AND ap.revision = \(revision)
                ORDER BY ap.created_at DESC LIMIT 1
                """
        ) { rows in try rows.single?.decode("approver_id") }
    }
}
