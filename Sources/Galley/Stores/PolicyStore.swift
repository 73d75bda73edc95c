import Foundation
import GalleyCore
import Postgres

/// SQL for the workflow policy: every version is kept; the newest applies.
enum PolicyStore {
    static func current(_ conn: PostgresConnection) throws -> (version: Int, policy: WorkflowPolicy) {
        try conn.read(current)
    }

    static let current = StoreRead(sql: "SELECT version, rules FROM workflow_policies ORDER BY version DESC LIMIT 1") { rows in
        let row = rows[0]
        return (version: try row.decode("version", as: Int.self), policy: WorkflowPolicy(rules: try row.json("rules")))
    }

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
