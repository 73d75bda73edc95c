import Foundation
import GalleyCore
import TestSupport
import Testing

/// `galley actors update|deactivate|activate`, `galley me`, `galley tokens list`, desks on the CLI.
@Suite struct ActorLifecycleCommandTests {
    @Test func actorsAreChangedSwitchedOffAndOnAndShowThemselves() async throws {
        try await CLIRoom.with { room in
            let changed = try dict(
                try await room.json(["actors", "update", "wendy", "--role", "writer", "--section", "local", "--display-name", "Wendy W."]))
            #expect(changed["sections"] as? [String] == ["local"])
            #expect(changed["display_name"] as? String == "Wendy W.")
            #expect(changed["version"] as? Int == 2)
            let me = try dict(try await room.json(["me"], as: "wendy"))
            #expect(me["name"] as? String == "wendy")
            #expect(me["roles"] as? [String] == ["writer"])
            #expect(me["sections"] as? [String] == ["local"])
            #expect(me["active"] as? Bool == true)
            let shown = try await room.run(["me", "--actor", "wendy"])
            #expect(shown.stdout.contains("sections: local"))

            let off = try dict(try await room.json(["actors", "deactivate", "wendy"]))
            #expect(off["active"] as? Bool == false)
            let refused = try await room.run(["me", "--actor", "wendy"])
            #expect(refused.status == 3)
            #expect(refused.stderr.contains("deactivated"))
            #expect(try dict(try await room.json(["actors", "activate", "wendy"]))["active"] as? Bool == true)
            let cleared = try dict(try await room.json(["actors", "update", "wendy", "--no-sections"]))
            #expect(cleared["sections"] as? [String] == [])

            let lastAdmin = try await room.run(["actors", "deactivate", "ada"])
            #expect(lastAdmin.status == 5)
            #expect(lastAdmin.stderr.contains("last active admin"))
            #expect(try await room.run(["actors", "update", "wendy"]).status == 2)
            let events = try await room.pool.query(
                "SELECT action FROM audit_events WHERE action IN ('actor.updated', 'actor.deactivated') ORDER BY id")
            #expect(
                try events.map { try $0.decode("action", as: String.self) } == [
                    "actor.updated", "actor.deactivated", "actor.updated", "actor.updated",
                ])
        }
    }

    @Test func theDeskBarsWritesOnTheCLIAsOnTheAPI() async throws {
        try await CLIRoom.with { room in
            let local = try await room.draft(section: "local")
            _ = try await room.json(["actors", "update", "wendy", "--section", "world"])
            _ = try await room.json(["actors", "update", "eddie", "--section", "world"])
            let submit = try await room.run(["submit", local.uuidString.lowercased(), "--actor", "wendy"])
            #expect(submit.status == 3)
            #expect(submit.stderr.contains("section local"))
            let spike = try await room.run(["spike", local.uuidString.lowercased(), "--reason", "Duplicate", "--actor", "eddie"])
            #expect(spike.status == 3)
            #expect(spike.stderr.contains("section local"))
            let file = try room.file(
                """
                {"title": "Library opens on Sundays", "dek": "A grant", "body": "The library will open on Sundays.", "section": "local",
                 "sources": [{"url": "https://example.org/library", "outlet": "Library Board", "title": "Statement"}]}
                """)
            let create = try await room.run(["articles", "create", "--file", file, "--actor", "wendy"])
            #expect(create.status == 3)
            #expect(create.stderr.contains("section local"))
            #expect(try await room.run(["articles", "show", local.uuidString.lowercased(), "--actor", "wendy"]).status == 0)
        }
    }

    @Test func tokensAreListedAsTheAPIListsThem() async throws {
        try await CLIRoom.with { room in
            let issued = try dict(try await room.json(["tokens", "issue", "eddie", "--label", "laptop"]))
            #expect(issued["label"] as? String == "laptop")
            #expect(issued["expires_at"] is String)
            let service = try await room.run(["tokens", "issue", "publish-bot"])
            #expect(service.status == 2)
            #expect(service.stderr.contains("never"))
            let forever = try dict(try await room.json(["tokens", "issue", "publish-bot", "--expires-in", "never"]))
            #expect(forever["expires_at"] is NSNull)
            let listed = try dict(try await room.json(["tokens", "list", "eddie"]))
            let items = try #require(listed["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(Set(items[0].keys) == ["id", "label", "created_at", "expires_at", "last_used_at", "revoked_at"])
            #expect(items[0]["label"] as? String == "laptop")
            let table = try await room.run(["tokens", "list", "eddie"])
            #expect(table.stdout.contains("laptop"))
            #expect(table.stdout.contains("live"))
        }
    }
}
