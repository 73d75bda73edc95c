import Foundation
import GalleyCore
import HTTPTypes
import Postgres
import TestSupport
import Testing

@Suite(.ownTransactionHorizon) struct WebhookDeliveryTests {
    @Test func aPublishDeliversOneSignedRequestThatTheDocumentedCheckAccepts() async throws {
        try await WebhookRoom.with { room in
            let hook = try await room.subscribe()
            let id = try await room.publishArticle()
            let dispatcher = room.dispatcher()
            try await room.drain(dispatcher) { room.receiver.received.count >= 1 }
            #expect(await dispatcher.deliverDue(client: room.client) == 0)

            let received = room.receiver.received
            #expect(received.count == 1)
            let request = try #require(received.first)
            #expect(request.event == "article.published")
            let signature = try #require(request.signature)
            #expect(WebhookSignature.verify(header: signature, body: request.body, secret: hook.secret))
            #expect(!WebhookSignature.verify(header: signature, body: request.body, secret: hook.secret + "x"))
            #expect(!WebhookSignature.verify(header: signature, body: request.body + Data(" ".utf8), secret: hook.secret))
            #expect(!WebhookSignature.verify(header: signature, body: request.body, secret: hook.secret, now: Date().addingTimeInterval(3600)))

            let body = try JSONDecoder().decode([String: JSONValue].self, from: request.body)
            #expect(body["type"] == "article.published")
            #expect(body["actor"] == "eddie")
            #expect(body["article"]?["id"]?.stringValue == id)
            #expect(body["article"]?["state"] == "published")
            #expect(body["event"]?["to_state"] == "published")

            let deliveries = try await room.api.call(.get, "/v1/webhooks/\(hook.id)/deliveries", as: "ada")
            guard case .array(let items) = deliveries.json["items"] else {
                Issue.record("no deliveries")
                return
            }
            #expect(items.count == 1)
            #expect(items.first?["status"] == "succeeded")
            #expect(items.first?["attempts"] == 1)
            #expect(items.first?["id"]?.stringValue == request.delivery)
            #expect(try await room.count("SELECT count(*) FROM webhook_attempts WHERE status_code = 200") == 1)
        }
    }

    @Test func aRolledBackChangeDeliversNothing() async throws {
        try await WebhookRoom.with { room in
            _ = try await room.subscribe(nil)
            let id = try #require(UUID(uuidString: try await room.api.createArticle()))
            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await room.api.pool.transaction { conn in
                    try conn.execute(
                        """
                        INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_name, action, article_id, at)
                        VALUES (\("article:" + id.uuidString.lowercased()), 0, '', '', 'eddie', 'article.publish', \(id), now())
                        """)
                    let queued: Int = try conn.query("SELECT count(*) FROM webhook_deliveries")[0].decode(at: 0)
                    #expect(queued == 1)
                    throw Rollback()
                }
            }
            // A change the workflow refuses writes nothing either.
            #expect(try await room.api.transition(id.uuidString.lowercased(), "publish", as: "eddie").status == .conflict)
            #expect(try await room.count("SELECT count(*) FROM webhook_deliveries") == 0)
            #expect(await room.dispatcher().deliverDue(client: room.client) == 0)
            #expect(room.receiver.received.isEmpty)
        }
    }

    /// While the receiver fails, the first event is retried and the later ones about the same
    /// article wait; when it recovers, each arrives once, in order.
    @Test func aReceiverThatIsDownGetsEachDeliveryOnceInOrderWhenItIsBack() async throws {
        try await WebhookRoom.with { room in
            _ = try await room.subscribe(nil)
            room.receiver.answer(.serviceUnavailable)
            let dispatcher = room.dispatcher()
            _ = try await room.publishArticle()
            try await room.drain(dispatcher) { room.receiver.received.count >= 3 }
            let whileDown = room.receiver.received
            #expect(Set(whileDown.compactMap(\.delivery)).count == 1)
            #expect(whileDown.allSatisfy { $0.event == "article.submitted" })

            room.receiver.answer(.ok)
            try await room.drain(dispatcher) {
                try await room.count("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'") == 4
            }
            #expect(await dispatcher.deliverDue(client: room.client) == 0)
            let afterwards = Array(room.receiver.received.dropFirst(whileDown.count))
            #expect(afterwards.compactMap(\.event) == ["article.submitted", "verification.recorded", "article.approved", "article.published"])
            #expect(Set(afterwards.compactMap(\.delivery)).count == 4)
            #expect(try await room.count("SELECT count(*) FROM webhook_attempts WHERE status_code = 503") == whileDown.count)
            let hookID = try #require(
                try await room.api.call(.get, "/v1/webhooks", as: "ada").json["items"].flatMap { value -> String? in
                    guard case .array(let items) = value else { return nil }
                    return items.first?["id"]?.stringValue
                })
            let log = try await room.api.call(.get, "/v1/webhooks/\(hookID)/deliveries/\(whileDown[0].delivery!)/attempts", as: "ada")
            guard case .array(let attempts) = log.json["items"] else {
                Issue.record("no attempts: \(log.text)")
                return
            }
            #expect(attempts.count == whileDown.count + 1)
            #expect(attempts.first?["status_code"] == 503)
            #expect(attempts.first?["response_excerpt"] == "thanks")
            #expect(attempts.last?["status_code"] == 200)
        }
    }

    @Test func twoDispatchersDeliverEachEventExactlyOnce() async throws {
        try await WebhookRoom.with { room in
            _ = try await room.subscribe()
            for index in 0..<8 { _ = try await room.publishArticle(title: "Story \(index)") }
            let first = room.dispatcher(batchSize: 2)
            let second = room.dispatcher(batchSize: 2)
            async let a: Void = room.drain(first) { try await room.count("SELECT count(*) FROM webhook_deliveries WHERE status <> 'succeeded'") == 0 }
            async let b: Void = room.drain(second) {
                try await room.count("SELECT count(*) FROM webhook_deliveries WHERE status <> 'succeeded'") == 0
            }
            _ = try await (a, b)
            let received = room.receiver.received
            #expect(received.count == 8)
            #expect(Set(received.compactMap(\.delivery)).count == 8)
            let eventIDs = try received.map { try JSONDecoder().decode([String: JSONValue].self, from: $0.body)["id"] }
            #expect(Set(eventIDs).count == 8)
            #expect(try await room.count("SELECT count(*) FROM webhook_attempts") == 8)
        }
    }

    /// A receiver that sends its headers and then nothing holds an attempt no longer than the
    /// deadline: the attempt is recorded as failed, and the delivery waits for its retry.
    @Test func aReceiverThatStallsAfterItsHeadersFailsTheAttemptAtTheDeadline() async throws {
        try await WebhookRoom.with { room in
            _ = try await room.subscribe()
            _ = try await room.publishArticle()
            room.receiver.answer(.stallAfterHeaders)
            let dispatcher = room.dispatcher(timeout: 1)
            let started = ContinuousClock.now
            let sending = Task { await dispatcher.deliverDue(client: room.client) }
            while try await room.count("SELECT count(*) FROM webhook_attempts") == 0, ContinuousClock.now - started < .seconds(40) {
                try await Task.sleep(for: .milliseconds(50))
            }
            // A 1 s deadline; the rest is room for a loaded machine (a fresh CI run with every
            // suite starting at once took 10.6 s; without a deadline it never ends). The error
            // below names the deadline.
            #expect(ContinuousClock.now - started < .seconds(30), "the attempt was not recorded within the deadline")
            room.receiver.answer(.ok)
            #expect(await sending.value == 1)
            let attempt = try await room.api.pool.query("SELECT status_code, error, duration_ms FROM webhook_attempts")
            #expect(attempt.count == 1)
            let error: String? = try attempt.first?.decode("error")
            #expect(error?.contains("1 s") == true, "\(error ?? "no error")")
            #expect(try attempt.first?.decode("duration_ms", as: Int.self) ?? 0 < 8000)
            #expect(try await room.count("SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'") == 1)
        }
    }

    /// A 2xx whose body holds a NUL byte (and bytes that are not UTF-8) is a success like any
    /// other: recorded once, with a readable excerpt, together with the rest of its batch.
    @Test func aSuccessAnsweredWithANULByteIsRecordedOnceWithTheRestOfItsBatch() async throws {
        try await WebhookRoom.with { room in
            _ = try await room.subscribe()
            for index in 0..<3 { _ = try await room.publishArticle(title: "Story \(index)") }
            room.receiver.answer(.status(.ok, body: Array("ok".utf8) + [0, 0xFF] + Array("done".utf8)))
            let dispatcher = room.dispatcher()
            #expect(await dispatcher.deliverDue(client: room.client) == 3)
            #expect(try await room.count("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'") == 3)
            #expect(try await room.count("SELECT count(*) FROM webhook_attempts WHERE status_code = 200") == 3)
            try await room.api.pool.execute("UPDATE webhook_deliveries SET lease_until = now() - interval '1 second'")
            #expect(await dispatcher.deliverDue(client: room.client) == 0)
            #expect(room.receiver.received.count == 3)
            let excerpts: [String] = try await room.api.pool.query("SELECT response_excerpt FROM webhook_attempts").map { try $0.decode(at: 0) }
            #expect(excerpts == Array(repeating: "ok\u{FFFD}\u{FFFD}done", count: 3))
        }
    }

    /// One attempt the database refuses to record does not keep the others of its batch from
    /// being recorded.
    @Test func aRecordTheDatabaseRefusesDoesNotStopTheRestOfItsBatch() async throws {
        try await WebhookRoom.with { room in
            _ = try await room.subscribe()
            for index in 0..<3 { _ = try await room.publishArticle(title: "Story \(index)") }
            try await room.api.ownerPool.execute(
                """
                CREATE FUNCTION refuse_the_first() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.delivery_id = (SELECT id FROM webhook_deliveries ORDER BY seq LIMIT 1) THEN
                        RAISE EXCEPTION 'refused for the test';
                    END IF;
                    RETURN NEW;
                END $$
                """)
            try await room.api.ownerPool.execute(
                "CREATE TRIGGER refuse_the_first BEFORE INSERT ON webhook_attempts FOR EACH ROW EXECUTE FUNCTION refuse_the_first()")
            #expect(await room.dispatcher().deliverDue(client: room.client) == 3)
            #expect(try await room.count("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'") == 2)
            #expect(try await room.count("SELECT count(*) FROM webhook_deliveries WHERE status = 'delivering'") == 1)
        }
    }
}
