import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

@Suite struct AuditAndDemoCommandTests {
    @Test func auditLogFiltersAndExports() async throws {
        try await CLIRoom.with { room in
            let id = try await room.approved()
            let events = try await room.run(["audit", "log", "--article", id.text, "--json"])
            #expect(events.status == 0)
            let lines = try events.stdout.split(separator: "\n").map { try dict(try JSONSerialization.jsonObject(with: Data($0.utf8))) }
            #expect(lines.map { $0["action"] as? String } == ["article.created", "article.submit", "verification.recorded", "article.approve"])
            #expect(lines.allSatisfy { $0["article_id"] as? String == id.text && ($0["hash"] as? String)?.count == 64 })
            let byEddie = try await room.run(["audit", "log", "--actor", "eddie", "--since", "2000-01-01T00:00:00Z", "--json"])
            #expect(byEddie.stdout.split(separator: "\n").count == 1)
            let table = try await room.run(["audit", "log", "--limit", "2"])
            #expect(table.stdout.split(separator: "\n").count == 3)
            #expect(try await room.run(["audit", "log", "--as", "wendy"]).status == 3)

            let csvPath = room.path(ext: "csv")
            let csv = try await room.run(["audit", "export", "--format", "csv", "--out", csvPath])
            #expect(csv.status == 0)
            #expect(csv.stdout.contains("Exported"))
            let text = try String(contentsOfFile: csvPath, encoding: .utf8)
            #expect(text.hasPrefix("id,at,chain,seq,actor,action,article_id,revision,from_state,to_state,reason,request_id,details,hash\r\n"))
            let total = try await room.pool.query("SELECT count(*) AS n FROM audit_events").single?.decode("n", as: Int.self)
            #expect(text.components(separatedBy: "\r\n").count == (total ?? 0) + 2)
            #expect(text.hasSuffix("\r\n"))
            let jsonl = try await room.run(["audit", "export", "--format", "jsonl", "--article", id.text])
            #expect(jsonl.stdout.split(separator: "\n").count == 4)
            #expect(try await room.run(["audit", "export", "--format", "xml"]).status == 2)
        }
    }

    /// A cell a spreadsheet would run as a formula starts with a quote (OWASP's advice).
    @Test func csvExportNeutralisesFormulaCells() async throws {
        try await CLIRoom.with { room in
            let id = try await room.inReview()
            _ = try await room.services.transitions.perform(
                .init(.requestChanges, reason: "=HYPERLINK(\"https://evil.example\",\"x\")"), on: id, by: try await room.caller("eddie"))
            let csv = try await room.run(["audit", "export", "--format", "csv"])
            #expect(csv.status == 0)
            #expect(csv.stdout.contains(#","'=HYPERLINK(""https://evil.example"",""x"")","#), "\(csv.stdout)")
            #expect(!csv.stdout.contains(#","=HYPERLINK"#))
        }
    }

    @Test func auditVerifyPassesThenNamesTheTamperedEvent() async throws {
        try await CLIRoom.with { room in
            let id = try await room.approved()
            let ok = try await room.run(["audit", "verify"])
            #expect(ok.status == 0)
            #expect(ok.stdout.contains("intact"))
            let sealed = try await room.run(["audit", "seal"])
            #expect(sealed.status == 0)
            #expect(sealed.stdout.hasPrefix("Sealed ") && sealed.stdout.contains(" chains."))
            #expect(try await room.run(["audit", "seal"]).stdout.contains("nothing to seal"))
            let report = try dict(try await room.json(["audit", "verify"]))
            #expect(report["ok"] as? Bool == true)
            #expect(report["seals_checked"] as? Int == 1)
            let increment = try dict(try await room.json(["audit", "verify", "--incremental"]))
            #expect(increment["scope"] as? String == "incremental")
            #expect(increment["events_checked"] as? Int == 0)
            #expect(try dict(increment["full_verification"] as Any)["events_checked"] as? Int == report["events_checked"] as? Int)

            let eventID = try #require(
                try await room.pool.query("SELECT id FROM audit_events WHERE action = 'article.approve' AND article_id = \(id)").single?.decode(
                    "id", as: Int.self))
            try await room.pool.withConnection { conn in
                try conn.runScript("ALTER TABLE audit_events DISABLE TRIGGER USER")
                try conn.execute("UPDATE audit_events SET actor_name = 'mallory' WHERE id = \(eventID)")
                try conn.runScript("ALTER TABLE audit_events ENABLE TRIGGER USER")
            }
            // An increment does not reread an event verified before; the full verification does.
            let unseen = try await room.run(["audit", "verify", "--incremental"])
            #expect(unseen.status == 0 && unseen.stdout.contains("on top of the full verification of"))
            let broken = try await room.run(["audit", "verify"])
            #expect(broken.status == 1)
            #expect(broken.stderr.contains("event \(eventID)"))
            #expect(broken.stderr.contains("altered"))
            let brokenJSON = try await room.run(["audit", "verify", "--json"])
            #expect(brokenJSON.status == 1)
            let first = try dict(try dict(try JSONSerialization.jsonObject(with: Data(brokenJSON.stdout.utf8)))["first_broken"] as Any)
            #expect(first["event_id"] as? Int == eventID)
        }
    }

    @Test func theDemoPrintsEachPersonsPasswordNextToTheirToken() async throws {
        try await CLIRoom.with(actors: false) { room in
            let loaded = try await room.run(["demo", "load"])
            #expect(loaded.status == 0, "\(loaded.stderr)")
            let lines = loaded.stdout.split(separator: "\n")
            #expect(lines.contains { $0.lowercased().contains("password") && $0.lowercased().contains("token") })
            for name in ["ada", "eli", "fay", "lee", "wren"] {
                let line = try #require(lines.first { $0.hasPrefix(name + " ") }, "\(name)")
                let fields = line.split(separator: " ")
                let password = try #require(fields.last.map(String.init))
                #expect(password.count >= 12 && !password.hasPrefix("glly_"))
                _ = try await room.services.sessions.signIn(name: name, password: password, clientAddress: "", userAgent: "", requestID: nil)
            }
            for name in ["drafter", "press"] {
                let line = try #require(lines.first { $0.hasPrefix(name + " ") }, "\(name)")
                #expect(line.split(separator: " ").last == "-")
            }
        }
    }

    @Test func demoLoadsOnceAndSaysSoTheSecondTime() async throws {
        try await CLIRoom.with(actors: false) { room in
            let first = try dict(try await room.json(["demo", "load"]))
            #expect(first["already_loaded"] as? Bool == false)
            let actors = try list(try #require(first["actors"]))
            #expect(Set(actors.compactMap { $0["roles"] as? [String] }.flatMap { $0 }) == Set(Role.allCases.map(\.rawValue)))
            #expect(actors.allSatisfy { ($0["token"] as? String)?.hasPrefix("glly_") == true })
            let articles = try list(try #require(first["articles"]))
            #expect(Set(articles.compactMap { $0["state"] as? String }).isSuperset(of: ["draft", "in_review", "approved", "published"]))
            #expect(articles.contains { $0["origin"] as? String == "ai" })
            let admin = try #require(first["admin"] as? String)
            let token = try #require(actors.first { $0["name"] as? String == admin }?["token"] as? String)
            #expect(try await room.services.actors.authenticate(token: token).roles.contains(.admin))

            // Each person gets a password for the desk; services never sign in, so get none.
            for actor in actors {
                let name = try #require(actor["name"] as? String)
                if actor["kind"] as? String == "service" {
                    #expect(actor["password"] == nil, "\(name)")
                    continue
                }
                let password = try #require(actor["password"] as? String, "\(name)")
                #expect(password.count >= 12)
                let session = try await room.services.sessions.signIn(
                    name: name, password: password, clientAddress: "", userAgent: "", requestID: nil)
                #expect(session.actor.name == name)
            }

            let aiID = try uuid(articles.first { $0["origin"] as? String == "ai" }?["id"])
            #expect(try await room.services.review.claims(aiID, by: try await room.caller(admin)).count >= 1)

            let count: @Sendable () async throws -> Int = {
                try await room.pool.query("SELECT (SELECT count(*) FROM audit_events) + (SELECT count(*) FROM actors) AS n").single!.decode("n")
            }
            let before = try await count()
            let second = try await room.run(["demo", "load"])
            #expect(second.status == 0)
            #expect(second.stdout.contains("already loaded"))
            #expect(try await count() == before)
            #expect(try await room.run(["audit", "verify"]).status == 0)
        }
    }
}
