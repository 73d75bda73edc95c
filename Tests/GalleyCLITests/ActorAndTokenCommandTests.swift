import Foundation
import GalleyCore
import TestSupport
import Testing

@Suite struct ActorAndTokenCommandTests {
    @Test func actorsAreAddedAndListedByTheOperator() async throws {
        try await CLIRoom.with(actors: false) { room in
            let added = try dict(try await room.json(["actors", "add", "nina", "--role", "editor", "--role", "legal", "--display-name", "Nina N."]))
            #expect(added["name"] as? String == "nina")
            #expect(added["kind"] as? String == "person")
            #expect(added["roles"] as? [String] == ["editor", "legal"])
            #expect(added["display_name"] as? String == "Nina N.")
            _ = try await room.json(["actors", "add", "press", "--role", "publisher", "--service"])
            let actors = try #require(try dict(try await room.json(["actors", "list"]))["items"] as? [[String: Any]])
            #expect(actors.map { $0["name"] as? String } == ["nina", "press"])

            let table = try await room.run(["actors", "list"])
            #expect(table.status == 0)
            #expect(table.stdout.hasPrefix("NAME"))
            #expect(table.stdout.contains("press  service  publisher"))

            let events = try await room.pool.query("SELECT actor_name FROM audit_events WHERE action = 'actor.created'")
            #expect(try events.map { try $0.decode("actor_name", as: String.self) }.allSatisfy { $0.hasPrefix("operator:") })
        }
    }

    @Test func invalidActorsAreRefusedWithUsageOrConflict() async throws {
        try await CLIRoom.with { room in
            let service = try await room.run(["actors", "add", "bot", "--role", "editor", "--service"])
            #expect(service.status == 2)
            #expect(service.stderr.contains("services never verify or approve"))
            #expect(service.stderr.contains("hint:"))
            let duplicate = try await room.run(["actors", "add", "eddie", "--role", "editor"])
            #expect(duplicate.status == 5)
            let noRole = try await room.run(["actors", "add", "zed"])
            #expect(noRole.status == 2)
            let badRole = try await room.run(["actors", "add", "zed", "--role", "chief"])
            #expect(badRole.status == 2)
        }
    }

    @Test func tokensAreIssuedListedAndRevoked() async throws {
        try await CLIRoom.with { room in
            let issued = try await room.run(["tokens", "issue", "eddie", "--expires-in", "30d"])
            #expect(issued.status == 0)
            let token = issued.stdout.trimmingCharacters(in: .newlines)
            #expect(token.hasPrefix("glly_") && !token.contains(" ") && !token.contains("\n"))
            #expect(try await room.services.actors.authenticate(token: token).name == "eddie")

            let tokens = try #require(try dict(try await room.json(["tokens", "list", "eddie"]))["items"] as? [[String: Any]])
            #expect(tokens.count == 1)
            #expect(tokens[0]["revoked_at"] is NSNull)
            #expect(tokens[0]["expires_at"] is String)
            let id = try #require(tokens[0]["id"] as? String)

            #expect(try await room.run(["tokens", "revoke", id]).status == 0)
            await #expect(throws: GalleyError.self) { try await room.services.actors.authenticate(token: token) }
            #expect(try await room.run(["tokens", "revoke", id]).status == 4)
            let issuedJSON = try dict(try await room.json(["tokens", "issue", "eddie"]))
            #expect((issuedJSON["token"] as? String)?.hasPrefix("glly_") == true)
        }
    }

    @Test func tokenRefusalsHaveTheirExitCodes() async throws {
        try await CLIRoom.with { room in
            #expect(try await room.run(["tokens", "issue", "nobody"]).status == 4)
            let malformed = try await room.run(["tokens", "revoke", "not-a-uuid"])
            #expect(malformed.status == 2)
            #expect(malformed.stderr.contains("<id>"))
            #expect(try await room.run(["tokens", "issue", "eddie", "--expires-in", "soon"]).status == 2)
        }
    }

    @Test func anUnreachableDatabaseExitsSix() async throws {
        let outcome = try await GalleyBinary.run(
            ["actors", "list"], environment: ["DATABASE_URL": "host=/nonexistent-galley-socket port=1 dbname=x connect_timeout=2"])
        #expect(outcome.status == 6)
        #expect(outcome.stderr.contains("database"))
    }

    @Test func completionScriptsAndHelpGoToStdout() async throws {
        let bash = try await GalleyBinary.run(["--generate-completion-script", "bash"])
        #expect(bash.status == 0)
        #expect(bash.stdout.contains("galley"))
        let help = try await GalleyBinary.run(["publish", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--atomic"))
        #expect(try await GalleyBinary.run(["no-such-command"]).status == 2)
    }
}
