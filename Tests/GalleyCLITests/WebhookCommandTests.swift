import Foundation
import GalleyCore
import TestSupport
import Testing

@Suite struct WebhookCommandTests {
    @Test func webhooksAreAddedListedPausedResumedAndRemoved() async throws {
        try await CLIRoom.with(actors: false) { room in
            let allow = ["GALLEY_WEBHOOK_ALLOW": "127.0.0.1"]
            let refused = try await room.run(["webhooks", "add", "http://127.0.0.1:9/hooks"])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("GALLEY_WEBHOOK_ALLOW"))

            let added = try await room.run(
                ["webhooks", "add", "http://127.0.0.1:9/hooks", "--event", "article.published", "--json"], environment: allow)
            #expect(added.status == 0, "\(added.stderr)")
            let webhook = try dict(try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)))
            #expect((webhook["secret"] as? String)?.hasPrefix("whsec_") == true)
            #expect(webhook["event_types"] as? [String] == ["article.published"])
            let id = try uuid(webhook["id"]).text

            let table = try await room.run(["webhooks", "list"])
            #expect(table.stdout.contains("article.published"))
            #expect(!table.stdout.contains("whsec_"))
            #expect(try dict(try await room.json(["webhooks", "pause", id]))["status"] as? String == "paused")
            #expect(try dict(try await room.json(["webhooks", "resume", id]))["status"] as? String == "active")
            #expect(try await room.run(["webhooks", "remove", id]).status == 0)
            #expect(try await room.run(["webhooks", "remove", id]).status == 4)
            #expect(try list(try await room.json(["webhooks", "list"])).isEmpty)
        }
    }
}
