import Foundation
import GalleyCore
import Postgres

/// Seal signatures (`audit_seal_signatures`, sql/0018) and seals as they are published.
extension AuditStore {
    static func recordSignature(_ conn: PostgresConnection, sealID: Int, keyID: String, signature: String) throws {
        try conn.execute("INSERT INTO audit_seal_signatures (seal_id, key_id, signature) VALUES (\(sealID), \(keyID), \(signature))")
    }

    private static let publishedColumns: SQL = """
        s.id, s.sealed_at, s.chains, s.hash, s.prev_hash, g.signature, g.key_id
        FROM audit_seals s LEFT JOIN audit_seal_signatures g ON g.seal_id = s.id
        """

    /// The seal with this id, or the newest when `id` is nil; nil when there is none.
    static func publishedSeal(_ conn: PostgresConnection, id: Int?) throws -> PublishedSeal? {
        let sql: SQL =
            if let id { "SELECT \(publishedColumns) WHERE s.id = \(id)" } else { "SELECT \(publishedColumns) ORDER BY s.id DESC LIMIT 1" }
        return try conn.query(sql).single.map { try published($0, heads: nil) }
    }

    /// Up to `limit` seals after `afterID`, oldest first, with the heads each lists.
    static func publishedSeals(_ conn: PostgresConnection, afterID: Int, limit: Int) throws -> [PublishedSeal] {
        try conn.query("SELECT s.heads, \(publishedColumns) WHERE s.id > \(afterID) ORDER BY s.id LIMIT \(limit)").map { row in
            try published(row, heads: try row.json("heads", as: [JSONValue].self))
        }
    }

    private static func published(_ row: PostgresRow, heads: [JSONValue]?) throws -> PublishedSeal {
        PublishedSeal(
            id: try row.decode("id"), at: try row.decode("sealed_at"), chains: try row.decode("chains"), root: try row.decode("hash"),
            prevHash: try row.decode("prev_hash"), signature: try row.decode("signature"), keyID: try row.decode("key_id"), heads: heads)
    }
}
