import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

@Suite struct ImportAndGenerationCommandTests {
    static func line(_ title: String, section: String = "politics") -> String {
        """
        {"model": "gpt-x", "model_version": "2026-10", "prompt_version": "analysis-v3", "parameters": {"temperature": 0.2}, \
        "usage": {"input_tokens": 1200, "output_tokens": 800}, "section": "\(section)", "tags": ["water"], \
        "title": "\(title)", "dek": "What changes", "body": "The reform passed on Thursday.", \
        "disclosure": "Drafted by AI; may contain errors.", \
        "sources": [{"url": "https://example.org/vote", "outlet": "Parliament Press Office", "title": "Vote"}]}
        """
    }

    @Test func importReportsABrokenLineAndKeepsTheOthers() async throws {
        try await CLIRoom.with { room in
            let file = try room.file(
                [Self.line("First draft"), "{not json", "", Self.line("Bad section", section: "Not A Slug"), Self.line("Second draft")]
                    .joined(separator: "\n") + "\n", ext: "jsonl")
            let outcome = try await room.run(["import", file, "--actor", "drafter", "--json"])
            #expect(outcome.status == 1)
            let results = try outcome.stdout.split(separator: "\n").map {
                try dict(try JSONSerialization.jsonObject(with: Data($0.utf8)))
            }
            try #require(results.map { $0["line"] as? Int } == [1, 2, 4, 5])
            #expect(results.map { $0["status"] as? String } == ["imported", "failed", "failed", "imported"])
            #expect(try dict(try #require(results[1]["error"]))["kind"] as? String == "invalid_line")
            #expect(try dict(try #require(results[2]["error"]))["kind"] as? String == "validation")

            // The provenance an API generation leaves.
            let articleID = try uuid(results[0]["article_id"])
            let detail = try await room.services.articles.get(articleID, by: try await room.caller("eddie"))
            #expect(detail.article.origin == .ai)
            #expect(detail.article.state == .draft)
            #expect(detail.current.author == "drafter")
            #expect(detail.current.digitalSourceType == .trainedAlgorithmicMedia)
            let generation = try await room.services.generations.get(try #require(detail.current.generationID), by: try await room.caller("eddie"))
            #expect(generation.status == .succeeded)
            #expect(generation.articleID == articleID)
            #expect(generation.revision == 1)
            #expect(generation.model == "gpt-x" && generation.modelVersion == "2026-10" && generation.promptVersion == "analysis-v3")
            #expect(generation.inputTokens == 1200 && generation.outputTokens == 800)
            #expect(generation.sources.map(\.outlet) == ["Parliament Press Office"])
            #expect(generation.startedAt != nil && generation.finishedAt != nil)
            #expect(generation.id.text == results[0]["generation_id"] as? String)

            let table = try await room.run(["import", file, "--actor", "drafter"])
            #expect(table.stdout.contains("Imported 2, failed 2."))
            #expect(table.stdout.contains("LINE"))
        }
    }

    /// Several chunks, imported while the next is read; a bad line in one fails alone.
    @Test func importRefusesALineWithANulCharacter() async throws {
        try await CLIRoom.with { room in
            let broken = Self.line("Cut short").replacingOccurrences(of: "passed on Thursday", with: #"passed\u0000 on Thursday"#)
            let file = try room.file(broken + "\n", ext: "jsonl")
            let outcome = try await room.run(["import", file, "--actor", "drafter", "--json"])
            #expect(outcome.status == 1)
            let result = try dict(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)))
            #expect(result["status"] as? String == "failed")
            let error = try dict(try #require(result["error"]))
            #expect(error["kind"] as? String == "validation")
            #expect((error["message"] as? String)?.contains("body must not contain the NUL character") == true)
            let count = try await room.pool.query("SELECT count(*) AS n FROM revisions").single?.decode("n", as: Int.self)
            #expect(count == 0)
        }
    }

    @Test func importReportsEveryLineOfManyChunksInOrder() async throws {
        try await CLIRoom.with { room in
            var lines = (1...520).map { Self.line("Chunked draft \($0)") }
            lines[299] = "{not json"
            lines[399] = Self.line("Taken slug").replacingOccurrences(of: "\"section\"", with: "\"slug\": \"chunked-draft-10\", \"section\"")
            let file = try room.file(lines.joined(separator: "\n") + "\n", ext: "jsonl")
            let outcome = try await room.run(["import", file, "--actor", "drafter", "--json"])
            #expect(outcome.status == 1)
            let results = try outcome.stdout.split(separator: "\n").map {
                try dict(try JSONSerialization.jsonObject(with: Data($0.utf8)))
            }
            #expect(results.map { $0["line"] as? Int } == Array(1...520))
            let failed = results.filter { $0["status"] as? String == "failed" }
            #expect(failed.map { $0["line"] as? Int } == [300, 400])
            #expect(try failed.map { try dict(try #require($0["error"]))["kind"] as? String } == ["invalid_line", "conflict"])
            let count = try await room.pool.query("SELECT count(*) AS n FROM articles").single?.decode("n", as: Int.self)
            #expect(count == 518)
            #expect(try dict(try await room.json(["audit", "verify"]))["ok"] as? Bool == true)
        }
    }

    @Test func atomicImportImportsNothingWhenALineIsBroken() async throws {
        try await CLIRoom.with { room in
            let file = try room.file(Self.line("One") + "\n" + "{}" + "\n", ext: "jsonl")
            let outcome = try await room.run(["import", file, "--atomic", "--actor", "drafter"])
            #expect(outcome.status == 1)
            #expect(outcome.stdout.contains("rolled_back"))
            let count = try await room.pool.query("SELECT count(*) AS n FROM articles").single?.decode("n", as: Int.self)
            #expect(count == 0)
            let good = try await room.run(["import", "-", "--atomic", "--actor", "drafter"], stdin: Self.line("One") + "\n" + Self.line("Two"))
            #expect(good.status == 0)
            #expect(good.stdout.contains("Imported 2, failed 0."))
        }
    }

    @Test func onlyAnAIAgentImports() async throws {
        try await CLIRoom.with { room in
            let file = try room.file(Self.line("One"), ext: "jsonl")
            #expect(try await room.run(["import", file, "--actor", "eddie"]).status == 3)
            #expect(try await room.run(["import", file, "--actor", "wendy"]).status == 3)
            #expect(try await room.run(["import", "/nonexistent.jsonl", "--actor", "drafter"]).status == 2)
        }
    }

    @Test func generationsAreListedAndFailedOnesRetried() async throws {
        try await CLIRoom.with { room in
            let ai = try await room.caller("drafter")
            let generation = try await room.services.generations.register(
                .init(brief: .init(section: "politics"), model: "gpt-x", modelVersion: "1", promptVersion: "p1"), by: ai)
            _ = try await room.services.generations.update(generation.id, .init(status: .running), by: ai)
            _ = try await room.services.generations.update(generation.id, .init(status: .failed, error: "timeout"), by: ai)

            let failed = try list(try await room.json(["generations", "list", "--status", "failed"], as: "eddie"))
            #expect(failed.map { $0["id"] as? String } == [generation.id.text])
            #expect(failed[0]["error"] as? String == "timeout")
            #expect(try list(try await room.json(["generations", "list", "--status", "succeeded"], as: "eddie")).isEmpty)

            #expect(try await room.run(["generations", "retry", generation.id.text, "--actor", "wendy"]).status == 3)
            let retried = try dict(try await room.json(["generations", "retry", generation.id.text], as: "drafter"))
            #expect(retried["status"] as? String == "queued")
            #expect(retried["attempt"] as? Int == 2)
            #expect(try await room.run(["generations", "retry", generation.id.text, "--actor", "drafter"]).status == 5)
            #expect(try await room.run(["generations", "retry", UUID().text, "--actor", "drafter"]).status == 4)
        }
    }
}
