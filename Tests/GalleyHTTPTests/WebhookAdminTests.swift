import Foundation
import GalleyCore
import HTTPTypes
import Postgres
import TestSupport
import Testing

@Suite(.ownTransactionHorizon) struct WebhookAdminTests {
    @Test func redeliverySendsTheSameEventAndBodyUnderANewDeliveryID() async throws {
        try await WebhookRoom.with { room in
            let hook = try await room.subscribe()
            _ = try await room.publishArticle()
            let dispatcher = room.dispatcher()
            try await room.drain(dispatcher) { room.receiver.received.count == 1 }
            let original = try #require(room.receiver.received.first?.delivery)
            let reply = try await room.api.call(.post, "/v1/webhooks/\(hook.id)/deliveries/\(original)/redeliver", as: "ada")
            #expect(reply.status == .accepted, "\(reply.text)")
            #expect(reply.json["redelivery_of"]?.stringValue == original)
            try await room.drain(dispatcher) { room.receiver.received.count == 2 }
            let (first, second) = (room.receiver.received[0], room.receiver.received[1])
            #expect(first.body == second.body)
            #expect(second.delivery == reply.json["id"]?.stringValue)
            #expect(second.delivery != first.delivery)
            #expect(WebhookSignature.verify(header: try #require(second.signature), body: second.body, secret: hook.secret))
            #expect(try await room.api.call(.post, "/v1/webhooks/\(hook.id)/deliveries/\(UUID())/redeliver", as: "ada").status == .notFound)
        }
    }

    @Test func repeatedFailuresPauseTheSubscriptionAndResumingSendsWhatWaited() async throws {
        try await WebhookRoom.with { room in
            let hook = try await room.subscribe()
            room.receiver.answer(.internalServerError)
            _ = try await room.publishArticle()
            let dispatcher = room.dispatcher(pauseAfter: 3)
            try await room.drain(dispatcher) {
                try await room.count("SELECT count(*) FROM webhooks WHERE status = 'paused'") == 1
            }
            #expect(await dispatcher.deliverDue(client: room.client) == 0)
            #expect(room.receiver.received.count == 3)
            let shown = try await room.api.call(.get, "/v1/webhooks/\(hook.id)", as: "ada")
            #expect(shown.json["status"] == "paused")
            #expect(shown.json["consecutive_failures"] == 3)
            #expect(shown.json["secret"] == nil)

            room.receiver.answer(.ok)
            let resumed = try await room.api.call(.patch, "/v1/webhooks/\(hook.id)", as: "ada", json: ["status": "active"])
            #expect(resumed.json["status"] == "active")
            #expect(resumed.json["consecutive_failures"] == 0)
            try await room.drain(dispatcher) {
                try await room.count("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'") == 1
            }
            #expect(room.receiver.received.count == 4)
        }
    }

    @Test func privateAddressesAreRefusedUnlessAllowedAndOnlyAdminsManageWebhooks() async throws {
        try await APIHarness.with { api in
            for url in [
                "http://127.0.0.1:9/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://10.1.2.3/",
                "ftp://example.org/", "http://localhost/",
            ] {
                let reply = try await api.call(.post, "/v1/webhooks", as: "ada", json: ["url": .string(url)])
                #expect(reply.status == .unprocessableContent, "\(url): \(reply.text)")
            }
            let bad = try await api.call(.post, "/v1/webhooks", as: "ada", json: ["url": "http://93.184.215.14/", "event_types": ["nope"]])
            #expect(bad.status == .unprocessableContent)
            #expect(try await api.call(.post, "/v1/webhooks", as: "eddie", json: ["url": "http://93.184.215.14/"]).status == .forbidden)
            #expect(try await api.call(.get, "/v1/webhooks", as: "eddie").status == .forbidden)

            let created = try await api.call(
                .post, "/v1/webhooks", as: "ada", json: ["url": "https://93.184.215.14/hooks", "event_types": ["article.retracted"]])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["secret"]?.stringValue?.hasPrefix("whsec_") == true)
            let id = try #require(created.json["id"]?.stringValue)
            let listed = try await api.call(.get, "/v1/webhooks", as: "ada")
            #expect(!listed.text.contains("whsec_"))
            let patched = try await api.call(.patch, "/v1/webhooks/\(id)", as: "ada", json: ["event_types": .null])
            #expect(patched.json["event_types"] == .null)
            #expect(try await api.call(.delete, "/v1/webhooks/\(id)", as: "ada").status == .noContent)
            #expect(try await api.call(.get, "/v1/webhooks/\(id)", as: "ada").status == .notFound)
        }
    }

    /// A webhook URL may carry a secret in its path or query; the audit log, which editors
    /// and legal read too, keeps only the webhook's id and the URL's scheme and host.
    @Test func theAuditLogDoesNotShowAWebhooksPathOrQuery() async throws {
        try await APIHarness.with { api in
            let url = "https://93.184.215.14:8443/hooks/s3cr3t-path?token=t0ps3cr3t"
            let created = try await api.call(.post, "/v1/webhooks", as: "ada", json: ["url": .string(url)])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"]?.stringValue)
            #expect(try await api.call(.patch, "/v1/webhooks/\(id)", as: "ada", json: ["status": "paused"]).status == .ok)
            #expect(try await api.call(.delete, "/v1/webhooks/\(id)", as: "ada").status == .noContent)

            for reader in ["eddie", "lou"] {
                let events = try await api.call(.get, "/v1/audit-events?limit=200", as: reader)
                #expect(events.status == .ok)
                guard case .array(let items) = events.json["items"] else {
                    Issue.record("no events: \(events.text)")
                    return
                }
                let hooks = items.filter { $0["action"]?.stringValue?.hasPrefix("webhook.") == true }
                #expect(hooks.count == 3)
                for event in hooks {
                    #expect(event["details"]?["webhook_id"]?.stringValue == id)
                    #expect(event["details"]?["url"] == nil)
                    #expect(event["details"]?["destination"] == "https://93.184.215.14:8443")
                }
                let export = try await api.call(.get, "/v1/audit-events/export?format=jsonl", as: reader)
                for text in [events.text, export.text] {
                    #expect(!text.contains("s3cr3t-path"))
                    #expect(!text.contains("t0ps3cr3t"))
                }
            }
        }
    }

    @Test func theAllowListParsesHostsAndNetworks() throws {
        let policy = try WebhookAddressPolicy(allowList: "127.0.0.1, 10.0.0.0/8,hooks.internal, fd00::/8")
        #expect(policy.allows(address: [127, 0, 0, 1]))
        #expect(!policy.allows(address: [127, 0, 0, 2]))
        #expect(policy.allows(address: [10, 200, 1, 1]))
        #expect(!policy.allows(address: [192, 168, 1, 1]))
        #expect(policy.allows(address: [93, 184, 215, 14]))
        #expect(policy.allows(host: "HOOKS.internal"))
        #expect(policy.allows(address: WebhookAddressPolicy.parseIP("fd12::1")!))
        #expect(!WebhookAddressPolicy().allows(address: WebhookAddressPolicy.parseIP("fe80::1")!))
        #expect(!WebhookAddressPolicy().allows(address: WebhookAddressPolicy.parseIP("::ffff:7f00:1")!))
        #expect(throws: GalleyError.self) { try WebhookAddressPolicy(allowList: "10.0.0.0/33") }
    }
}
