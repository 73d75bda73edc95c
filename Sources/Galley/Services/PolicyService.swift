import Foundation
import GalleyCore
import Postgres

/// The workflow policy: read by anyone, changed by admins, every change audited.
public struct PolicyService: Sendable {
    let env: GalleyEnvironment

    public func current(by caller: Caller) async throws -> (version: Int, policy: WorkflowPolicy) {
        try caller.principal.require(.readArticles)
        return try await env.read { conn in try PolicyStore.current(conn) }
    }

    public func replace(with policy: WorkflowPolicy, expectedVersion: ExpectedVersion? = nil, by caller: Caller) async throws -> (
        version: Int, policy: WorkflowPolicy
    ) {
        try caller.principal.require(.managePolicy)
        let problems = policy.problems()
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let now = env.now()
        return try await env.transaction { conn in
            // Transactions deciding steps on the old policy commit first; new ones wait for this.
            try conn.execute(QueueStore.refreshing)
            let (version, old) = try PolicyStore.current(conn)
            try expectedVersion?.check(version)
            try PolicyStore.insert(conn, version: version + 1, policy: policy, by: caller.principal.name, at: now)
            // Which checkpoints wait on each article in review is the new policy's to say, and
            // assignments on checkpoints it no longer requires end.
            try OpenSteps.refreshAll(conn, by: caller, at: now)
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.systemChain, principal: caller.principal, action: "policy.changed",
                    details: [
                        "from_version": .number(Double(version)), "to_version": .number(Double(version + 1)),
                        "checkpoints_before": .array(old.rules.map { .string($0.checkpoint) }),
                        "checkpoints_after": .array(policy.rules.map { .string($0.checkpoint) }),
                    ],
                    requestID: caller.requestID, at: now))
            return (version + 1, policy)
        }
    }
}
