import Foundation
import Galley
import TestSupport
import Testing

/// `galley prune run-once`: one pruning run from the shell, with the server's settings.
@Suite(.ownTransactionHorizon) struct PruneCommandTests {
    @Test func pruneRunOnceRemovesWhatIsPastTheConfiguredTime() async throws {
        try await CLIRoom.with { room in
            try await room.pool.execute(
                """
                INSERT INTO idempotency_keys (actor_id, key, fingerprint, status, body, created_at)
                SELECT a.id, 'k' || g, 'f', 201, '\\x7b7d'::bytea, now() - g * interval '1 hour'
                FROM actors a, generate_series(1, 5) g WHERE a.name = 'wendy'
                """)
            // Kept for 3½ hours: the keys 4 and 5 hours old go.
            let run = try await room.run(["prune", "run-once", "--json"], environment: ["GALLEY_IDEMPOTENCY_TTL": "210m"])
            #expect(run.status == 0, "\(run.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            #expect(report["idempotency_keys"] as? Int == 2)
            #expect(report["event_stream"] as? Int == 0)
            #expect(report["skipped"] as? Bool == false)
            let left: Int = try await room.pool.query("SELECT count(*) FROM idempotency_keys")[0].decode(at: 0)
            #expect(left == 3)

            let table = try await room.run(["prune", "run-once"])
            #expect(table.stdout.contains("idempotency_keys") && table.stdout.contains("webhook_attempts"), "\(table.stdout)")

            let refused = try await room.run(["prune", "run-once"], environment: ["GALLEY_EVENT_RETENTION": "forever"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("GALLEY_EVENT_RETENTION=forever is not valid"), "\(refused.stderr)")
        }
    }
}
