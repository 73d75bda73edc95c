import Foundation
import Galley
import GalleyCore
import TestSupport
import Testing

/// `galley actors password` and `galley sessions list|revoke`.
@Suite struct PasswordAndSessionCommandTests {
    static let password = "a long phrase of several words"

    func signIn(_ name: String, _ password: String, in room: CLIRoom) async throws -> DeskSession {
        try await room.services.sessions.signIn(name: name, password: password, clientAddress: "127.0.0.1", userAgent: "test", requestID: nil)
    }

    @Test func aPasswordPipedInLetsThePersonSignInAndIsNeverPrinted() async throws {
        try await CLIRoom.with { room in
            let set = try await room.run(["actors", "password", "fiona"], stdin: Self.password + "\n")
            #expect(set.status == 0, "\(set.stderr)")
            #expect(set.stdout.contains("fiona"))
            #expect(!set.stdout.contains(Self.password) && !set.stderr.contains(Self.password))
            let session = try await signIn("fiona", Self.password, in: room)
            #expect(session.actor.name == "fiona")

            let json = try dict(try await room.json(["actors", "password", "fiona"], stdin: "another phrase, just as long\r\n"))
            #expect(json["actor"] as? String == "fiona")
            #expect(json["password_set"] as? Bool == true)
            // A new password ends the sessions opened with the old one.
            await #expect(throws: GalleyError.self) { try await room.services.sessions.visit(secret: session.secret, requestID: nil) }
            #expect(try await signIn("fiona", "another phrase, just as long", in: room).actor.name == "fiona")
            let events = try await room.pool.query("SELECT details::text AS details FROM audit_events WHERE action = 'actor.password_set'")
            #expect(events.count == 2)
            #expect(try events.allSatisfy { !(try $0.decode("details", as: String.self)).contains("phrase") })
        }
    }

    @Test func aShortPasswordAServiceAndAnArgumentAreRefused() async throws {
        try await CLIRoom.with { room in
            let short = try await room.run(["actors", "password", "fiona"], stdin: "too short\n")
            #expect(short.status == 2)
            #expect(short.stderr.contains("at least 12 characters"))
            #expect(!short.stderr.contains("too short"))
            await #expect(throws: GalleyError.self) { try await signIn("fiona", "too short", in: room) }

            let empty = try await room.run(["actors", "password", "fiona"], stdin: "")
            #expect(empty.status == 2)

            let service = try await room.run(["actors", "password", "drafter"], stdin: Self.password + "\n")
            #expect(service.status == 2)
            #expect(service.stderr.contains("drafter is a service"))

            let nobody = try await room.run(["actors", "password", "nobody"], stdin: Self.password + "\n")
            #expect(nobody.status == 4)

            // Never an argument: `ps` and the shell's history would keep it.
            let argument = try await room.run(["actors", "password", "fiona", Self.password], stdin: "")
            #expect(argument.status == 2)
            #expect(!argument.stdout.contains(Self.password))
            await #expect(throws: GalleyError.self) { try await signIn("fiona", Self.password, in: room) }
        }
    }

    @Test func anOperatorListsAndEndsDeskSessions() async throws {
        try await CLIRoom.with { room in
            for name in ["fiona", "eddie"] {
                try await room.services.actors.setPassword(for: .name(name), to: Self.password, by: CLIRoom.operatorCaller)
            }
            let first = try await signIn("fiona", Self.password, in: room)
            _ = try await signIn("fiona", Self.password, in: room)
            _ = try await signIn("eddie", Self.password, in: room)

            let all = try list(try #require(try dict(try await room.json(["sessions", "list"]))["items"]))
            #expect(all.count == 3)
            #expect(
                Set(all[0].keys) == ["id", "actor_id", "actor", "created_at", "last_seen_at", "client_address", "user_agent"])
            let fionas = try list(try #require(try dict(try await room.json(["sessions", "list", "--actor", "fiona"]))["items"]))
            #expect(fionas.count == 2)
            #expect(fionas.allSatisfy { $0["actor"] as? String == "fiona" })
            let table = try await room.run(["sessions", "list"])
            #expect(table.stdout.contains("eddie"))
            #expect(table.stdout.contains(first.id.text))
            #expect(!table.stdout.contains(first.secret))
            #expect(try await room.run(["sessions", "list", "--actor", "nobody"]).status == 4)

            let revoked = try await room.run(["sessions", "revoke", first.id.text])
            #expect(revoked.status == 0, "\(revoked.stderr)")
            await #expect(throws: GalleyError.self) { try await room.services.sessions.visit(secret: first.secret, requestID: nil) }
            let again = try await room.run(["sessions", "revoke", first.id.text])
            #expect(again.status == 4)
            #expect(again.stderr.contains("live session"))
            #expect(try list(try #require(try dict(try await room.json(["sessions", "list"]))["items"])).count == 2)
        }
    }
}
