import Foundation
import GalleyCore
import Postgres

extension AuditStore {
    /// The seal that lists the newest event of the chain of the published article with
    /// `slug` (`article:<id>`), found through `audit_seals_heads` (sql/0026); nil while no
    /// seal lists it yet, or the article is not live.
    static func sealCoveringLastEvent(slug: String) -> StoreRead<PublicReviewRecord.Seal?> {
        StoreRead(
            sql: """
                SELECT s.id, s.sealed_at FROM audit_seals s
                WHERE s.heads @> (SELECT jsonb_build_array(jsonb_build_array(h.chain, h.seq, h.hash))
                                  FROM articles a JOIN audit_chain_heads h ON h.chain = 'article:' || a.id::text
                                  WHERE a.slug = \(slug) AND a.live_revision IS NOT NULL)
                ORDER BY s.id LIMIT 1
                """
        ) { rows in
            try rows.single.map { PublicReviewRecord.Seal(id: try $0.decode("id"), at: try $0.decode("sealed_at")) }
        }
    }
}
