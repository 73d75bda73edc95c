import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

/// Bounded growth: what is past its retention goes, in batches, by one server at a time;
/// nothing else does, and the audit log never.
@Suite(.ownTransactionHorizon) struct RetentionTests {
    private static let day: TimeInterval = 86400

    @Test func pruningRemovesOnlyOldDeliveredEventsAndFinishedDeliveriesAndNeverTheAuditLog() async throws {
        try await Newsroom.with { room in
            let clock = ManualClock(Date().addingTimeInterval(-40 * Self.day))
            // As the app's role, with a clock the test moves: a missing grant fails here.
            let services = GalleyServices(environment: GalleyEnvironment(pool: room.services.environment.pool, now: { clock.now }))
            try await room.pool.execute(
                """
                INSERT INTO webhooks (id, url, secret, created_by, created_at, updated_at)
                VALUES (gen_random_uuid(), 'https://example.org/hook', 'secret', 'test', now(), now())
                """)
            func submitted(_ title: String) async throws -> UUID {
                let draft = try await services.articles.create(
                    .init(content: try Newsroom.content(title), section: "world", tags: []), by: room.writer)
                _ = try await services.transitions.perform(.init(.submit), on: draft.article.id, by: room.writer)
                return draft.article.id
            }
            let oldDelivered = try await submitted("Old and delivered")
            let oldPending = try await submitted("Old and still pending")
            clock.advance(by: 40 * Self.day)
            let recent = try await submitted("Recent")
            // The old delivery went out 40 days ago; the recent one just now; one is still pending.
            try await room.pool.execute(
                """
                UPDATE webhook_deliveries SET status = 'succeeded', attempts = 1,
                    updated_at = CASE WHEN article_id = \(recent) THEN now() ELSE now() - interval '40 days' END
                WHERE article_id IN (\(oldDelivered), \(recent))
                """)
            try await room.pool.execute("UPDATE webhook_deliveries SET updated_at = now() - interval '40 days' WHERE article_id = \(oldPending)")
            try await room.pool.execute(
                """
                INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code)
                SELECT id, 1, updated_at, 12, 200 FROM webhook_deliveries WHERE status = 'succeeded'
                """)
            let auditBefore: Int = try await room.pool.query("SELECT count(*) FROM audit_events")[0].decode(at: 0)

            // A stream row goes once every reader can see it: a transaction still running
            // anywhere in the cluster (another test's) holds it back for a moment.
            var report = RetentionService.Report()
            _ = try await eventually {
                let run = try await services.retention.prune()
                #expect(!run.skipped)
                report.eventStream += run.eventStream
                report.webhookDeliveries += run.webhookDeliveries
                report.webhookAttempts += run.webhookAttempts
                return report.eventStream
            } until: {
                $0 >= 2
            }
            #expect(report.eventStream == 2)
            #expect(report.webhookDeliveries == 1)
            #expect(report.webhookAttempts == 1)

            let streamed: [UUID?] = try await room.pool.query(
                "SELECT e.article_id FROM event_stream s JOIN audit_events e ON e.id = s.event_id"
            ).map { try $0.decode("article_id") }
            #expect(streamed == [recent])
            let deliveries: [UUID?] = try await room.pool.query(
                "SELECT article_id FROM webhook_deliveries ORDER BY seq"
            ).map { try $0.decode("article_id") }
            #expect(deliveries == [oldPending, recent])
            let attempts: Int = try await room.pool.query("SELECT count(*) FROM webhook_attempts")[0].decode(at: 0)
            #expect(attempts == 1)
            let auditAfter: Int = try await room.pool.query("SELECT count(*) FROM audit_events")[0].decode(at: 0)
            #expect(auditAfter == auditBefore)
            #expect(try await room.services.audit.verify(by: room.admin).ok)
            #expect(try await services.retention.prune() == RetentionService.Report())
        }
    }

    @Test func aDeliveryARedeliveryStillPointsAtIsKeptUntilTheRedeliveryGoes() async throws {
        try await Newsroom.with { room in
            try await room.pool.execute(
                """
                INSERT INTO webhooks (id, url, secret, created_by, created_at, updated_at)
                VALUES (gen_random_uuid(), 'https://example.org/hook', 'secret', 'test', now(), now())
                """)
            let draft = try await room.draft()
            _ = try await room.act(.submit, draft.article.id, by: room.writer)
            // Two recent redeliveries of one old delivery: were the original pruned, both would
            // stop pointing at it and collide as "the" delivery of the event.
            try await room.pool.execute(
                """
                INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, article_id, payload, redelivery_of, status,
                                                next_attempt_at, created_at, updated_at)
                SELECT webhook_id, event_id, event_type, article_id, payload, id, 'succeeded', now(), now(), now()
                FROM webhook_deliveries, generate_series(1, 2)
                """)
            try await room.pool.execute(
                "UPDATE webhook_deliveries SET status = 'failed', updated_at = now() - interval '40 days' WHERE redelivery_of IS NULL")
            #expect(try await room.services.retention.prune().webhookDeliveries == 0)
            // Once the redeliveries are old too, they go first, and the original with the next run.
            try await room.pool.execute("UPDATE webhook_deliveries SET updated_at = now() - interval '40 days'")
            #expect(try await room.services.retention.prune().webhookDeliveries == 2)
            #expect(try await room.services.retention.prune().webhookDeliveries == 1)
            let left: Int = try await room.pool.query("SELECT count(*) FROM webhook_deliveries")[0].decode(at: 0)
            #expect(left == 0)
        }
    }

    @Test func twoServersPruningAtOnceDoNotShareOrRepeatTheWork() async throws {
        try await Newsroom.with { room in
            try await room.pool.execute(
                """
                INSERT INTO idempotency_keys (actor_id, key, fingerprint, status, body, created_at)
                SELECT a.id, 'k' || g, 'f', 201, '\\x7b7d'::bytea, now() - interval '2 days'
                FROM actors a, generate_series(1, 2500) g WHERE a.name = 'wendy'
                """)
            let appPool = room.services.environment.pool
            async let first = GalleyServices(pool: appPool).retention.prune(batchSize: 100)
            async let second = GalleyServices(pool: appPool).retention.prune(batchSize: 100)
            let reports = try await [first, second]
            #expect(reports.map(\.idempotencyKeys).sorted() == [0, 2500])
            let left: Int = try await room.pool.query("SELECT count(*) FROM idempotency_keys")[0].decode(at: 0)
            #expect(left == 0)
        }
    }

    /// Behind a pooler in transaction mode the run's session lock would stay on whichever
    /// server session took it: the run goes to the direct session instead, and needs nothing
    /// from the pooled one.
    @Test func behindAPoolerPruningRunsOnTheDirectSession() async throws {
        try await Newsroom.with { room in
            try await room.pool.execute(
                """
                INSERT INTO idempotency_keys (actor_id, key, fingerprint, status, body, created_at)
                SELECT a.id, 'k' || g, 'f', 201, '\\x7b7d'::bytea, now() - interval '2 days'
                FROM actors a, generate_series(1, 30) g WHERE a.name = 'wendy'
                """)
            let unreachable = PostgresPool(
                configuration: .init(connectionString: "host=/nonexistent/galley-pooler", maxConnections: 1, acquireTimeout: .seconds(2)))
            let services = GalleyServices(environment: GalleyEnvironment(pool: unreachable, sessionPool: room.services.environment.pool))
            let report = try await services.retention.prune()
            await unreachable.close()
            #expect(report.idempotencyKeys == 30)
        }
    }
}
