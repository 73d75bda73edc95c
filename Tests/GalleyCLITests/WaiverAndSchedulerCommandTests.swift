import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

/// The waiver rules and the scheduler's failures, as the CLI meets them: the same domain.
@Suite struct WaiverAndSchedulerCommandTests {
    @Test func anEditorCannotWaiveTheChecksOfAnAIDraftFromTheTerminal() async throws {
        try await CLIRoom.with { room in
            let file = try room.file(ImportAndGenerationCommandTests.line("An AI draft") + "\n", ext: "jsonl")
            let imported = try await room.run(["import", file, "--actor", "drafter", "--json"])
            let id = try uuid(try dict(try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)))["article_id"])
            for checkpoint in ["fact_check", "legal_review"] {
                let waive = try await room.run(["checkpoint", id.text, checkpoint, "--waive", "--note", "Looks fine", "--actor", "eddie"])
                #expect(waive.status == 5)
                #expect(waive.stderr.contains("waiver"))
                #expect(waive.stderr.contains("does not let \(checkpoint) be waived on ai-origin articles"))
            }
        }
    }

    @Test func runOnceSendsBackADueArticleItCannotPublishAndSaysSo() async throws {
        try await CLIRoom.with { room in
            let id = try await room.published()
            _ = try await room.services.articles.edit(
                id, content: try CLIRoom.content("Harbour ferries add two late crossings"), by: try await room.caller("wendy"))
            _ = try await room.services.transitions.perform(.init(.submit), on: id, by: try await room.caller("wendy"))
            _ = try await room.services.review.record(
                .init(checkpoint: "source_check", verdict: .passed, revision: 2, note: "ok"), on: id, by: try await room.caller("fiona"))
            _ = try await room.services.transitions.perform(.init(.approve), on: id, by: try await room.caller("eddie"))
            // Scheduled behind the domain's back, without the correction note it needs.
            _ = try await room.pool.query(
                "UPDATE articles SET state = 'scheduled', publish_at = now() - interval '1 minute', version = version + 1 WHERE id = \(id)")
            let run = try await room.run(["scheduler", "run-once"])
            #expect(run.status == 1)
            #expect(run.stdout.contains("Could not publish \(id.text)"))
            #expect(run.stdout.contains("correction_note"))
            let state = try await room.pool.query("SELECT state FROM articles WHERE id = \(id)")
            #expect(try state[0].decode("state", as: String.self) == "approved")
        }
    }
}
