import Foundation
import GalleyCore
import Postgres
import Synchronization

/// SQL for the workflow policy: every version is kept; the newest applies.
enum PolicyStore {
    /// The newest policy's version, as a subquery: what a cached detail's stamp is checked
    /// against.
    static let newestVersion: SQL = "(SELECT max(version) FROM workflow_policies)"

    static func current(_ conn: PostgresConnection) throws -> (version: Int, policy: WorkflowPolicy) {
        try conn.read(current)
    }

    static let current = StoreRead(sql: "SELECT version, rules FROM workflow_policies ORDER BY version DESC LIMIT 1") { rows in
        let row = rows[0]
        return (version: try row.decode("version", as: Int.self), policy: try policy(rules: try row.decode("rules")))
    }

    /// Every transition reads the policy; decoding its JSON each time was 5% of a walk's
    /// client CPU. Keyed by the stored text itself, so that no database or version can be
    /// served another's rules.
    static func policy(rules text: String) throws -> WorkflowPolicy { try decoded.policy(rules: text) }

    private static let decoded = DecodedPolicies()

    static func insert(_ conn: PostgresConnection, version: Int, policy: WorkflowPolicy, by name: String, at: Date) throws {
        do {
            try conn.execute(
                """
                INSERT INTO workflow_policies (version, rules, created_by, created_at)
                VALUES (\(version), \(JSONB(policy.rules)), \(name), \(at))
                """)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw GalleyError.conflict("The workflow policy was changed at the same time; fetch it again and retry.")
        }
    }
}

private final class DecodedPolicies: Sendable {
    private let byText = Mutex<[String: WorkflowPolicy]>([:])

    func policy(rules text: String) throws -> WorkflowPolicy {
        if let known = byText.withLock({ $0[text] }) { return known }
        let policy = WorkflowPolicy(rules: try JSONDecoder().decode([WorkflowPolicy.Rule].self, from: Data(text.utf8)))
        byText.withLock { known in
            // A handful of versions in practice; a bound keeps a pathological history small.
            if known.count >= 64 { known.removeAll() }
            known[text] = policy
        }
        return policy
    }
}
