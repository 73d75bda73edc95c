import Foundation
import GalleyCore
import Postgres

extension AuditStore {
    /// The seal that lists the newest event of the chain of the published article with
    /// `slug` (`article:<id>`), found through `audit_seals_heads` (sql/0026); nil while no
    /// seal lists it yet, or the article is not live.
    static func sealCoveringLastEvent(slug: String) -> StoreRead<PublicReviewRecord.Seal?> {
        // A join, not a subquery under ORDER BY and LIMIT, for which the planner walks the
        // seals in id order instead of asking the index. A seal lists only heads that moved
        // since the last seal (sql/0008), so one seal at most lists a position.
        StoreRead(
            sql: """
                SELECT s.id, s.sealed_at
                FROM articles a JOIN audit_chain_heads h ON h.chain = 'article:' || a.id::text
                JOIN audit_seals s ON s.heads @> jsonb_build_array(jsonb_build_array(h.chain, h.seq, h.hash))
                WHERE a.slug = \(slug) AND a.live_revision IS NOT NULL
                """
        ) { rows in
            try rows.single.map { PublicReviewRecord.Seal(id: try $0.decode("id"), at: try $0.decode("sealed_at")) }
        }
    }
}
