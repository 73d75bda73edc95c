import Foundation
import GalleyCore
import TestSupport
import Testing

@Suite struct ArticleCommandTests {
    static let articleJSON = """
        {"title": "Library opens on Sundays", "dek": "A grant pays for it", "body": "The library will open on Sundays.",
         "section": "culture", "tags": ["libraries"],
         "sources": [{"url": "https://example.org/library", "outlet": "Library Board", "title": "Statement"}]}
        """

    @Test func articlesAreCreatedShownListedAndEdited() async throws {
        try await CLIRoom.with { room in
            let file = try room.file(Self.articleJSON)
            let created = try dict(try await room.json(["articles", "create", "--file", file], as: "wendy"))
            let article = created
            #expect(article["state"] as? String == "draft")
            #expect(article["origin"] as? String == "human")
            #expect(article["section"] as? String == "culture")
            let current = try dict(try #require(created["current_revision"]))
            #expect(current["author"] as? String == "wendy")
            #expect((current["content_hash"] as? String)?.count == 64)
            #expect(created["checkpoints"] is [Any])
            let id = try #require(article["id"] as? String)

            let shown = try await room.run(["articles", "show", id, "--actor", "eddie"])
            #expect(shown.status == 0)
            #expect(shown.stdout.contains("Library opens on Sundays"))
            #expect(shown.stdout.contains("source_check"))

            let listed = try list(try await room.json(["articles", "list", "--state", "draft", "--section", "culture"], as: "eddie"))
            #expect(listed.map { $0["id"] as? String } == [id])
            #expect(try list(try await room.json(["articles", "list", "--origin", "ai"], as: "eddie")).isEmpty)
            let table = try await room.run(["articles", "list"], environment: ["GALLEY_ACTOR": "eddie"])
            #expect(table.stdout.hasPrefix("ID"))
            #expect(table.stdout.contains(id))
            // --fields: only those members, as the API's `fields=` writes them.
            let summaries = try list(try await room.json(["articles", "list", "--fields", "id,title,state"], as: "eddie"))
            #expect(summaries.map { Set($0.keys) } == [["id", "title", "state"]])
            #expect(summaries.first?["title"] as? String == "Library opens on Sundays")
            let unknown = try await room.run(["articles", "list", "--fields", "id,body", "--json"], environment: ["GALLEY_ACTOR": "eddie"])
            #expect(unknown.status != 0)
            #expect(unknown.stderr.contains("unknown field \"body\""), "\(unknown.stderr)")
            let withoutJSON = try await room.run(["articles", "list", "--fields", "id"], environment: ["GALLEY_ACTOR": "eddie"])
            #expect(withoutJSON.status != 0)
            #expect(withoutJSON.stderr.contains("add --json"), "\(withoutJSON.stderr)")

            let edited = try room.file(Self.articleJSON.replacingOccurrences(of: "on Sundays.", with: "on Sundays from May."))
            let after = try dict(try await room.json(["articles", "edit", id, "--file", edited], as: "wendy"))
            #expect(try dict(try #require(after["current_revision"]))["number"] as? Int == 2)
        }
    }

    /// PostgreSQL text cannot hold U+0000 and libpq would cut the value at it, so the stored
    /// body would no longer match its content hash: NUL is refused, naming the field.
    @Test func textWithANulCharacterIsRefusedNamingTheField() async throws {
        try await CLIRoom.with { room in
            let file = try room.file(Self.articleJSON.replacingOccurrences(of: "open on Sundays.", with: #"open on\u0000 Sundays."#))
            let created = try await room.run(["articles", "create", "--file", file, "--actor", "wendy"])
            #expect(created.status == 2, "\(created.stdout)")
            #expect(created.stderr.contains("body must not contain the NUL character"))
            let id = try await room.draft()
            let titled = try room.file(Self.articleJSON.replacingOccurrences(of: "Library opens", with: #"Library\u0000 opens"#))
            let edited = try await room.run(["articles", "edit", id.text, "--file", titled, "--actor", "wendy"])
            #expect(edited.status == 2)
            #expect(edited.stderr.contains("title must not contain the NUL character"))
            let count = try await room.pool.query("SELECT count(*) AS n FROM revisions").single?.decode("n", as: Int.self)
            #expect(count == 1)
        }
    }

    @Test func articleRefusalsHaveTheirExitCodes() async throws {
        try await CLIRoom.with { room in
            let file = try room.file(Self.articleJSON)
            let noActor = try await room.run(["articles", "create", "--file", file])
            #expect(noActor.status == 2)
            #expect(noActor.stderr.contains("--actor"))
            #expect(try await room.run(["articles", "create", "--file", file, "--actor", "ghost"]).status == 4)
            let forbidden = try await room.run(["articles", "create", "--file", file, "--actor", "fiona"])
            #expect(forbidden.status == 3)
            #expect(forbidden.stderr.contains("articles.create"))
            let broken = try await room.run(["articles", "create", "--file", try room.file(#"{"title": "x"}"#), "--actor", "wendy"])
            #expect(broken.status == 2)
            #expect(broken.stderr.contains("body"))
            #expect(try await room.run(["articles", "show", UUID().text, "--actor", "eddie"]).status == 4)
            let malformed = try await room.run(["articles", "show", "12345", "--actor", "eddie"])
            #expect(malformed.status == 2)
            #expect(malformed.stderr.contains("<id>"))
            let id = try await room.draft()
            let same = try await room.run(["articles", "edit", id.text, "--file", try room.file(Self.articleJSON), "--actor", "drafter"])
            #expect(same.status == 3)
        }
    }

    @Test func transitionsRunAsTheActor() async throws {
        try await CLIRoom.with { room in
            let id = try await room.draft()
            #expect(try await room.run(["submit", id.text, "--actor", "wendy"]).status == 0)
            #expect(try await room.state(id) == .inReview)
            let early = try await room.run(["approve", id.text, "--actor", "eddie"])
            #expect(early.status == 5)
            #expect(early.stderr.contains("source_check"))
            #expect(try await room.run(["request-changes", id.text, "--reason", "Name the source", "--actor", "eddie"]).status == 0)
            #expect(try await room.state(id) == .draft)
            #expect(try await room.run(["submit", id.text, "--actor", "wendy"]).status == 0)
            let verdict = try dict(
                try await room.json(
                    ["checkpoint", id.text, "source_check", "--pass", "--note", "Read it", "--evidence", "https://example.org/check"], as: "fiona"))
            #expect(verdict["verdict"] as? String == "passed")
            #expect(verdict["revision"] as? Int == 1)
            #expect(try await room.run(["approve", id.text, "--actor", "wendy"]).status == 3)
            let approved = try dict(try await room.json(["approve", id.text], as: "eddie"))
            #expect(approved["state"] as? String == "approved")

            #expect(try await room.run(["schedule", id.text, "--at", "tomorrow", "--actor", "eddie"]).status == 2)
            #expect(try await room.run(["schedule", id.text, "--at", "2001-01-01T00:00:00Z", "--actor", "eddie"]).status == 5)
            #expect(try await room.run(["schedule", id.text, "--at", "2099-12-01T09:00:00Z", "--actor", "publish-bot"]).status == 0)
            #expect(try await room.state(id) == .scheduled)
            #expect(try await room.run(["unschedule", id.text, "--actor", "eddie"]).status == 0)
            #expect(try await room.run(["publish", id.text, "--actor", "publish-bot"]).status == 0)
            #expect(try await room.state(id) == .published)
            #expect(try await room.run(["spike", id.text, "--reason", "no", "--actor", "eddie"]).status == 5)
            #expect(try await room.run(["unpublish", id.text, "--reason", "Legal hold", "--actor", "eddie"]).status == 0)
            #expect(
                try await room.run(["retract", id.text, "--reason", "Wrong", "--notice", "We retracted this story.", "--actor", "eddie"]).status == 0)
            #expect(try await room.state(id) == .retracted)
            #expect(try await room.run(["restore", id.text, "--actor", "eddie"]).status == 5)
        }
    }

    @Test func spikeAndRestore() async throws {
        try await CLIRoom.with { room in
            let id = try await room.draft()
            #expect(try await room.run(["spike", id.text, "--actor", "eddie"]).status == 2)
            #expect(try await room.run(["spike", id.text, "--reason", "Duplicate", "--actor", "wendy"]).status == 3)
            #expect(try await room.run(["spike", id.text, "--reason", "Duplicate", "--actor", "eddie"]).status == 0)
            #expect(try await room.state(id) == .spiked)
            let restored = try await room.run(["restore", id.text, "--actor", "eddie"])
            #expect(restored.stdout.contains("is now draft"))
        }
    }

    @Test func authorsCannotApproveTheirOwnText() async throws {
        try await CLIRoom.with { room in
            let id = try await room.services.articles.create(
                .init(content: try CLIRoom.content(), section: "local"), by: try await room.caller("eddie")
            ).article.id
            #expect(try await room.run(["submit", id.text, "--actor", "eddie"]).status == 0)
            #expect(try await room.run(["checkpoint", id.text, "source_check", "--pass", "--actor", "fiona"]).status == 0)
            let own = try await room.run(["approve", id.text, "--actor", "eddie"])
            #expect(own.status == 5)
            #expect(own.stderr.contains("four_eyes"))
            #expect(try await room.run(["approve", id.text, "--actor", "erin"]).status == 0)
        }
    }

    @Test func checkpointsAndClaims() async throws {
        try await CLIRoom.with { room in
            let id = try await room.inReview()
            #expect(try await room.run(["checkpoint", id.text, "source_check", "--fail", "--actor", "lou"]).status == 3)
            #expect(try await room.run(["checkpoint", id.text, "legal_review", "--pass", "--actor", "fiona"]).status == 2)
            #expect(try await room.run(["checkpoint", id.text, "source_check", "--waive", "--actor", "eddie"]).status == 2)
            #expect(try await room.run(["checkpoint", id.text, "source_check", "--waive", "--note", "Wire copy", "--actor", "eddie"]).status == 0)
            #expect(try await room.run(["checkpoint", id.text, "source_check", "--actor", "eddie"]).status == 2)

            let claim = try dict(try await room.json(["claims", "add", id.text, "The crossing is at 22:15."], as: "fiona"))
            #expect(claim["status"] as? String == "unverified")
            let claimID = try #require(claim["id"] as? String)
            #expect(try await room.run(["claims", "add", id.text, "Another", "--actor", "wendy"]).status == 3)
            let set = try dict(
                try await room.json(
                    ["claims", "set", id.text, claimID, "--status", "verified", "--evidence", "https://example.org/timetable"], as: "fiona"))
            #expect(set["status"] as? String == "verified")
            #expect((set["evidence"] as? [[String: Any]])?.first?["url"] as? String == "https://example.org/timetable")
            let claims = try list(try await room.json(["claims", "list", id.text], as: "eddie"))
            #expect(claims.count == 1)
            #expect(try await room.run(["claims", "set", id.text, UUID().text, "--status", "false", "--actor", "fiona"]).status == 4)
        }
    }
}
