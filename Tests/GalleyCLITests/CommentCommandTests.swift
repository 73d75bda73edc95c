import Foundation
import Galley
import GalleyCore
import Testing

/// `galley comments`: the API's threads from the command line, with the API's JSON.
@Suite struct CommentCommandTests {
    @Test func addReplyListAndResolveAThread() async throws {
        try await CLIRoom.with { room in
            let id = try await room.draft()
            let root = try dict(try await room.json(["comments", "add", id.text, "Which timetable?", "--quote", "a crossing at 22:15"], as: "fiona"))
            #expect(root["quote"] as? String == "a crossing at 22:15")
            #expect(root["resolved"] as? Bool == false)
            let rootID = try #require(root["id"] as? String)
            let reply = try dict(try await room.json(["comments", "add", id.text, "The winter one.", "--reply-to", rootID], as: "wendy"))
            #expect(reply["parent_id"] as? String == rootID)

            let missingQuote = try await room.run(["comments", "add", id.text, "Hm", "--quote", "no such words", "--actor", "fiona"])
            #expect(missingQuote.status == 2)
            #expect(missingQuote.stderr.contains("does not occur"))
            let service = try await room.run(["comments", "add", id.text, "Beep", "--actor", "drafter"])
            #expect(service.status == 3)
            #expect(service.stderr.contains("service account"))
            #expect(try await room.run(["comments", "resolve", id.text, rootID, "--actor", "lou"]).status == 3)

            let resolved = try dict(try await room.json(["comments", "resolve", id.text, rootID], as: "fiona"))
            #expect(resolved["resolved"] as? Bool == true)
            #expect((resolved["resolved_by"] as? [String: Any])?["name"] as? String == "fiona")

            let page = try dict(try await room.json(["comments", "list", id.text, "--resolved", "true"], as: "lou"))
            let threads = try list(try #require(page["items"]))
            #expect(threads.map { $0["id"] as? String } == [rootID])
            #expect(try list(try #require(threads.first?["replies"])).map { $0["body"] as? String } == ["The winter one."])
            #expect(
                try list(try #require(try dict(try await room.json(["comments", "list", id.text, "--resolved", "false"], as: "lou"))["items"]))
                    .isEmpty)

            let reopened = try dict(try await room.json(["comments", "resolve", id.text, rootID, "--reopen"], as: "eddie"))
            #expect(reopened["resolved"] as? Bool == false)
            let table = try await room.run(["comments", "list", id.text, "--actor", "lou"])
            #expect(table.status == 0)
            #expect(table.stdout.contains("a crossing at 22:15") && table.stdout.contains("The winter one."))
        }
    }
}
