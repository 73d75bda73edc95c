import Foundation
import Galley
import GalleyCore
import Testing

/// Assignments and the queue from the terminal: the same domain, the API's JSON.
@Suite struct QueueCommandTests {
    @Test func assignShowsInTheAssigneesQueueAndUnassignTakesItBack() async throws {
        try await CLIRoom.with { room in
            let id = try await room.inReview("Harbour ferries add a late crossing")
            let assigned = try dict(try await room.json(["assign", id.text, "source_check", "fiona", "--due", "2020-01-01T09:00:00Z"], as: "eddie"))
            #expect(try dict(assigned["assignee"] as Any)["name"] as? String == "fiona")
            #expect(assigned["checkpoint"] as? String == "source_check")
            let queue = try dict(try await room.json(["queue"], as: "fiona"))
            let items = try list(queue["items"] as Any)
            #expect(items.count == 1)
            #expect(items.first?["waiting_for"] as? String == "source_check" && items.first?["overdue"] as? Bool == true)
            #expect(try list(try dict(try await room.json(["queue", "--assigned", "unassigned"], as: "fiona"))["items"] as Any).isEmpty)
            let table = try await room.run(["queue", "--actor", "fiona"])
            #expect(table.stdout.contains("source_check") && table.stdout.contains("(overdue)"))

            let refused = try await room.run(["assign", id.text, "source_check", "wendy", "--actor", "eddie"])
            #expect(refused.status != 0 && refused.stderr.contains("wendy cannot take source_check"), "\(refused.stderr)")
            let notAllowed = try await room.run(["assign", id.text, "source_check", "fiona", "--actor", "wendy"])
            #expect(notAllowed.status == 3)

            let assignmentID = try uuid(assigned["id"])
            let removed = try await room.run(["unassign", id.text, assignmentID.text, "--actor", "eddie"])
            #expect(removed.status == 0, "\(removed.stderr)")
            let after = try list(try dict(try await room.json(["queue"], as: "fiona"))["items"] as Any)
            #expect(after.first?["assigned_to"] == nil)
        }
    }
}
