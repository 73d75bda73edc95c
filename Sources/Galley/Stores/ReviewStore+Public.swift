import Foundation
import GalleyCore
import Postgres

/// What reviewers recorded on the live text of a published article, for the public review
/// record: never a draft's verdicts or claims, and never their notes.
extension ReviewStore {
    typealias Record = PublicReviewRecord

    /// Articles joined to their live revision, as `a` and `r`.
    private static let liveRevisions: SQL = "articles a JOIN revisions r ON r.article_id = a.id AND r.number = a.live_revision"

    /// Verdicts on the live revision's exact text, oldest first, the first `limit`; reviewers
    /// named only when `named`.
    static func liveChecks(slug: String, limit: Int, named: Bool, linksShown: Int) -> StoreRead<Record.Bounded<Record.Check>> {
        StoreRead(
            sql: """
                SELECT v.checkpoint, v.verdict, v.content_hash, v.evidence, v.created_at, p.display_name, p.roles,
                       count(*) OVER () AS total
                FROM \(liveRevisions)
                JOIN verifications v ON v.article_id = a.id AND v.revision = r.number AND v.content_hash = r.content_hash
                JOIN actors p ON p.id = v.actor_id
                WHERE a.slug = \(slug) ORDER BY v.created_at, v.id LIMIT \(limit)
                """
        ) { rows in
            let checks = try rows.map { row in
                Record.Check(
                    checkpoint: try row.decode("checkpoint"), verdict: try row.enumValue("verdict"),
                    contentHash: try row.decode("content_hash"), reviewer: try person(row, named: named), at: try row.decode("created_at"),
                    evidence: try links(row, linksShown))
            }
            return Record.Bounded(items: checks, total: try rows.single?.decode("total", as: Int.self) ?? 0)
        }
    }

    /// Claims of the live revision, oldest first, the first `limit`.
    static func liveClaims(slug: String, limit: Int, linksShown: Int) -> StoreRead<Record.Bounded<Record.CheckedClaim>> {
        StoreRead(
            sql: """
                SELECT c.text, c.status, c.evidence, c.updated_at, count(*) OVER () AS total
                FROM articles a JOIN claims c ON c.article_id = a.id AND c.revision = a.live_revision
                WHERE a.slug = \(slug) ORDER BY c.created_at, c.id LIMIT \(limit)
                """
        ) { rows in
            let claims = try rows.map { row in
                Record.CheckedClaim(
                    text: try row.decode("text"), status: try row.enumValue("status"), evidence: try links(row, linksShown),
                    updatedAt: try row.decode("updated_at"))
            }
            return Record.Bounded(items: claims, total: try rows.single?.decode("total", as: Int.self) ?? 0)
        }
    }

    /// The last approver of the live revision's exact text: the responsible editor, named.
    static func liveEditor(slug: String) -> StoreRead<Record.Person?> {
        StoreRead(
            sql: """
                SELECT p.display_name, p.roles
                FROM \(liveRevisions)
                JOIN approvals ap ON ap.article_id = a.id AND ap.revision = r.number AND ap.content_hash = r.content_hash
                JOIN actors p ON p.id = ap.approver_id
                WHERE a.slug = \(slug) ORDER BY ap.created_at DESC LIMIT 1
                """
        ) { rows in try rows.single.map { try person($0, named: true) } }
    }

    private static func person(_ row: PostgresRow, named: Bool) throws -> Record.Person {
        Record.Person(
            name: named ? try row.decode("display_name", as: String.self) : nil,
            roles: try row.decode("roles", as: [String].self).compactMap(Role.init(rawValue:)).sorted())
    }

    /// Recorded evidence links that are web addresses, the first `limit`.
    private static func links(_ row: PostgresRow, _ limit: Int) throws -> [String] {
        Array(try row.json("evidence", as: [Evidence].self).map(\.url).filter(WebLink.hasWebScheme).prefix(limit))
    }
}
