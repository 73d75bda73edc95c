import Foundation
import Galley
import GalleyCore
import HTTPTypes
import Postgres
import Testing

@Suite struct IdempotencyTests {
    static let keyHeader = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!
    static let retryAfter = HTTPField.Name("Retry-After")!

    /// Eight identical creates at once with one key: one article, and every answer is either
    /// that article or a 409 saying the first is still in progress and when to retry.
    @Test func concurrentDuplicatesCreateOneArticle() async throws {
        try await APIHarness.with { api in
            let key: HTTPFields = [Self.keyHeader: "burst-1"]
            let replies = try await withThrowingTaskGroup(of: APIHarness.Reply.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let articles: Int = try await api.pool.query("SELECT count(*) FROM articles")[0].decode(at: 0)
            #expect(articles == 1)
            let created = replies.filter { $0.status == .created }
            #expect(!created.isEmpty)
            #expect(Set(created.map(\.body)).count == 1, "every 201 carries the same article")
            for reply in replies where reply.status != .created {
                #expect(reply.status == .conflict, "\(reply.status) \(reply.text)")
                #expect(reply.json["type"] == "https://galley.dev/problems/idempotency-in-progress")
                #expect(reply.headers[Self.retryAfter].flatMap(Int.init) ?? 0 >= 1)
            }
        }
    }

    /// While the first request still works, a duplicate waits a bounded time and then is told
    /// to come back; a request with another body under the key stays refused with 422.
    @Test func aDuplicateOfARequestStillInProgressIsToldToRetry() async throws {
        try await APIHarness.with { api in
            let key: HTTPFields = [Self.keyHeader: "slow-1"]
            #expect(try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key).status == .created)
            try await Self.markInProgress(api, since: "0 seconds")

            let started = ContinuousClock.now
            let duplicate = try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key)
            #expect(duplicate.status == .conflict, "\(duplicate.text)")
            #expect(duplicate.json["type"] == "https://galley.dev/problems/idempotency-in-progress")
            #expect(duplicate.headers[Self.retryAfter].flatMap(Int.init) ?? 0 >= 1)
            // The server's patience is 5 s; a wait that never ended would hang here instead. The
            // bound leaves room for a full test run's load, which has stalled this one by 5 s.
            #expect(ContinuousClock.now - started < .seconds(30))

            var other = APIHarness.articleBody
            if case .object(var object) = other {
                object["title"] = "Another title"
                other = .object(object)
            }
            let clash = try await api.call(.post, "/v1/articles", as: "wendy", json: other, headers: key)
            #expect(clash.status == .unprocessableContent)
            #expect(clash.text.contains("Idempotency-Key"))
        }
    }

    /// A reservation left behind by a server that died mid-request runs out: a retry runs.
    @Test func aReservationOfADeadServerRunsOut() async throws {
        try await APIHarness.with { api in
            let key: HTTPFields = [Self.keyHeader: "orphan-1"]
            #expect(try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key).status == .created)
            try await Self.markInProgress(api, since: "1 hour")
            let retry = try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key)
            #expect(retry.status == .created, "\(retry.text)")
            #expect(retry.headers[Self.replayed] == nil)
        }
    }

    /// A request that runs past the lease keeps its key: it renews its reservation while it
    /// runs, so a duplicate is told to retry rather than taking the key over and running too.
    @Test func aLongRequestKeepsItsKeyPastTheLease() async throws {
        try await APIHarness.with { api in
            // A lease of 6 s renews every 2 s; a loaded full run stalled renewals past a 3 s lease.
            let services = GalleyServices(environment: GalleyEnvironment(pool: api.pool, idempotencyLease: 6))
            let actorID: UUID = try await api.pool.query("SELECT id FROM actors WHERE name = 'wendy'")[0].decode(at: 0)
            guard case .reserved(let reservation) = try await services.idempotency.claim(actorID: actorID, key: "long", fingerprint: "f")
            else {
                Issue.record("the first request did not reserve its key")
                return
            }
            try await services.idempotency.holding(reservation) {
                try await Task.sleep(for: .seconds(13))
                let duplicate = try await services.idempotency.claim(actorID: actorID, key: "long", fingerprint: "f", patience: .zero)
                guard case .inProgress(_) = duplicate else {
                    Issue.record("a duplicate took over the key of a request still running: \(duplicate)")
                    return
                }
            }
        }
    }

    /// A request that fails gives its key back: a retry runs again instead of being told
    /// the key is busy, and nothing of the failure is kept.
    @Test func aFailedRequestReleasesItsKey() async throws {
        try await APIHarness.with { api in
            var body = APIHarness.articleBody
            if case .object(var object) = body {
                object["slug"] = "taken"
                body = .object(object)
            }
            #expect(try await api.call(.post, "/v1/articles", as: "wendy", json: body).status == .created)
            let key: HTTPFields = [Self.keyHeader: "retry-after-failure"]
            let refused = try await api.call(.post, "/v1/articles", as: "wendy", json: body, headers: key)
            #expect(refused.status == .conflict, "\(refused.text)")
            let again = try await api.call(.post, "/v1/articles", as: "wendy", json: body, headers: key)
            #expect(again.status == .conflict)
            #expect(again.json["type"] == "https://galley.dev/problems/conflict")
            let kept: Int = try await api.pool.query("SELECT count(*) FROM idempotency_keys")[0].decode(at: 0)
            #expect(kept == 0)
        }
    }

    /// Keys live for the configured time (24 h here); expired ones are pruned and may be used afresh.
    @Test func expiredKeysArePrunedAndMayBeUsedAfresh() async throws {
        try await APIHarness.with { api in
            let key: HTTPFields = [Self.keyHeader: "old-1"]
            let first = try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key)
            #expect(first.status == .created)
            #expect(try await api.call(.post, "/v1/articles", as: "eddie", json: APIHarness.articleBody, headers: key).status == .created)
            try await api.pool.execute(
                "UPDATE idempotency_keys SET created_at = created_at - interval '25 hours' WHERE actor_id = (SELECT id FROM actors WHERE name = 'wendy')"
            )
            #expect(try await api.services.retention.prune().idempotencyKeys == 1)
            #expect(try await api.services.retention.prune().idempotencyKeys == 0)
            let left: Int = try await api.pool.query("SELECT count(*) FROM idempotency_keys")[0].decode(at: 0)
            #expect(left == 1)
            let again = try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key)
            #expect(again.status == .created)
            #expect(again.headers[Self.replayed] == nil)
            #expect(again.json["id"] != first.json["id"])
        }
    }

    /// A key past its time is not honoured even while it waits to be pruned: the request runs again.
    @Test func anExpiredKeyIsNotHonouredBeforeItIsPruned() async throws {
        try await APIHarness.with { api in
            let key: HTTPFields = [Self.keyHeader: "stale"]
            let first = try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key)
            #expect(first.status == .created)
            try await api.pool.execute("UPDATE idempotency_keys SET created_at = created_at - interval '25 hours'")
            let again = try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key)
            #expect(again.status == .created)
            #expect(again.headers[Self.replayed] == nil)
            #expect(again.json["id"] != first.json["id"])
            let replay = try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key)
            #expect(replay.json["id"] == again.json["id"])
        }
    }

    /// While another server prunes (it holds the lock), this one leaves the keys alone.
    @Test func oneServerPrunesAtATime() async throws {
        try await APIHarness.with { api in
            #expect(
                try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: [Self.keyHeader: "k"]).status
                    == .created)
            try await api.pool.execute("UPDATE idempotency_keys SET created_at = created_at - interval '25 hours'")
            let otherServer = Task {
                try await api.pool.transaction { conn in
                    _ = try conn.query("SELECT pg_advisory_xact_lock(\(0x7072_756e))")
                    _ = try conn.query("SELECT pg_sleep(2)")
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await api.services.retention.prune().skipped)
            try await otherServer.value
            #expect(try await api.services.retention.prune().idempotencyKeys == 1)
        }
    }

    /// Turns every stored answer back into a reservation taken `since` ago, as a request
    /// still running (or a server that died running it) leaves it.
    static func markInProgress(_ api: APIHarness, since age: String) async throws {
        try await api.pool.execute(
            """
            UPDATE idempotency_keys SET status = NULL, body = NULL, reservation = gen_random_uuid(),
                created_at = now() - \(age)::interval
            """)
    }
}
