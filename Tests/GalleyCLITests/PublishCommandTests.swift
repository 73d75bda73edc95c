import Foundation
import Galley
import GalleyCore
import TestSupport
import Testing

@Suite struct PublishCommandTests {
    @Test func idsFromStdinArePublishedEachOnItsOwn() async throws {
        try await CLIRoom.with { room in
            let first = try await room.approved("First story")
            let second = try await room.approved("Second story")
            let draft = try await room.draft("Still a draft")
            let stdin = "\(first.text)\n\n# a comment\n\(second.text)\n\(draft.text)\n"
            let outcome = try await room.run(["publish", "-", "--actor", "publish-bot", "--json"], stdin: stdin)
            #expect(outcome.status == 1)
            let report = try dict(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)))
            #expect(report["published"] as? Int == 2)
            #expect(report["failed"] as? Int == 1)
            #expect(report["atomic"] as? Bool == false)
            #expect((report["batches"] as? [String])?.count == 1)
            let results = try list(try #require(report["results"]))
            #expect(results.map { $0["article_id"] as? String } == [first.text, second.text, draft.text])
            #expect(results.map { $0["status"] as? String } == ["published", "published", "failed"])
            let error = try dict(try #require(results[2]["error"]))
            #expect(error["kind"] as? String == "invalid_transition")
            #expect(try await room.state(first) == .published)

            let again = try await room.run(["publish", first.text, "--actor", "publish-bot"])
            #expect(again.status == 0)
            #expect(again.stdout.contains("skipped"))
        }
    }

    @Test func atomicPublishingPublishesNothingWhenOneFails() async throws {
        try await CLIRoom.with { room in
            let ready = try await room.approved("Ready")
            let draft = try await room.draft("Not ready")
            let file = try room.file("\(ready.text)\n\(draft.text)\n", ext: "txt")
            let outcome = try await room.run(["publish", "--from-file", file, "--atomic", "--actor", "publish-bot"])
            #expect(outcome.status == 1)
            #expect(outcome.stdout.contains("rolled_back"))
            #expect(outcome.stdout.contains("Atomic: nothing was published."))
            #expect(try await room.state(ready) == .approved)
        }
    }

    @Test func dryRunAndFilterPublishNothingOrTheMatches() async throws {
        try await CLIRoom.with { room in
            let one = try await room.approved("One")
            let two = try await room.approved("Two")
            _ = try await room.draft("Three")
            let dry = try dict(try await room.json(["publish", "--state", "approved", "--dry-run"], as: "publish-bot"))
            #expect(dry["dry_run"] as? Bool == true)
            #expect(try list(try #require(dry["results"])).allSatisfy { $0["status"] as? String == "would_publish" })
            #expect(try await room.state(one) == .approved)

            let real = try dict(try await room.json(["publish", "--state", "approved", "--section", "local"], as: "publish-bot"))
            #expect(real["published"] as? Int == 2)
            #expect(try await room.state(one) == .published)
            #expect(try await room.state(two) == .published)
        }
    }

    @Test func publishRefusals() async throws {
        try await CLIRoom.with { room in
            let id = try await room.approved()
            #expect(try await room.run(["publish", id.text, "--actor", "wendy"]).status == 3)
            #expect(try await room.run(["publish", "--actor", "publish-bot"]).status == 2)
            let malformed = try await room.run(["publish", "-", "--actor", "publish-bot"], stdin: "\(id.text)\nnot-an-id\n")
            #expect(malformed.status == 2)
            #expect(malformed.stderr.contains("Line 2"))
            #expect(try await room.state(id) == .approved)
        }
    }

    @Test func schedulerRunOncePublishesWhatIsDue() async throws {
        try await CLIRoom.with { room in
            let id = try await room.approved()
            let past = GalleyServices(environment: GalleyEnvironment(pool: room.pool, now: { Date().addingTimeInterval(-3600) }))
            _ = try await past.transitions.perform(
                .init(.schedule, publishAt: Date().addingTimeInterval(-1800)), on: id, by: try await room.caller("eddie"))
            let outcome = try dict(try await room.json(["scheduler", "run-once"]))
            #expect(outcome["published"] as? Int == 1)
            #expect(try await room.state(id) == .published)
            #expect(try await room.run(["scheduler", "run-once"]).stdout.contains("Published 0 due articles."))
        }
    }
}
