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

    /// `galley migrate` decides every article's open steps again from what is stored, each time
    /// it runs: the changes an author was asked for (read from the audit log) and review steps.
    @Test func migrateRebuildsTheQueueFromWhatIsStored() async throws {
        try await CLIRoom.with { room in
            let inReview = try await room.inReview("Harbour ferries add a late crossing")
            let sentBack = try await room.inReview("The bridge closes for a week")
            _ = try await room.services.transitions.perform(.init(.requestChanges, reason: "Name the source"), on: sentBack, by: room.caller("eddie"))
            _ = try await room.services.articles.edit(
                sentBack, content: try CLIRoom.content("The bridge closes for ten days"), by: room.caller("wendy"))
            func steps(of name: String) async throws -> [String] {
                try list(try dict(try await room.json(["queue"], as: name))["items"] as Any).compactMap { $0["waiting_for"] as? String }
            }
            #expect(try await steps(of: "wendy") == ["changes"])
            // As a queue built before the changes were asked for, or a rebuild that failed.
            _ = try await room.pool.query("DELETE FROM queue_steps")
            let migrated = try await room.run(["migrate"])
            #expect(migrated.status == 0, "\(migrated.stderr)")
            #expect(try await steps(of: "wendy") == ["changes"])
            #expect(try await steps(of: "fiona") == ["source_check"])
            let rows = try await room.pool.query("SELECT article_id FROM queue_steps WHERE step = 'source_check'")
            #expect(try rows.map { try $0.decode("article_id", as: UUID.self) } == [inReview])
        }
    }
}
