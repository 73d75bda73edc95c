import Foundation
import GalleyCore
import TestSupport
import Testing

/// The CLI reads times and spans like the API: out of range is a clear refusal, never a crash
/// and never a value dropped on the way.
@Suite struct InputBoundsCommandTests {
    /// Before: `--expires-in` of a million years made a time the timestamp conversion trapped on.
    @Test func aSpanBeyondTheYear9999IsRefused() async throws {
        try await CLIRoom.with { room in
            let issued = try await room.run(["tokens", "issue", "eddie", "--expires-in", "99999999999w"])
            #expect(issued.status == 2, "\(issued.stderr)")
            #expect(issued.stderr.contains("expires_in"))
            #expect(try await room.run(["tokens", "issue", "eddie", "--expires-in", "99999999999999999999w"]).status != 0)
        }
    }

    @Test func timeOptionsBeyondTheYear9999AreRefused() async throws {
        try await CLIRoom.with { room in
            let audit = try await room.run(["audit", "log", "--since", "9999999-01-01T00:00:00Z"])
            #expect(audit.status != 0)
            #expect(audit.stderr.contains("--since"))
            // Before: a negative limit reached SQL's LIMIT (an error) and 0 asked for batches of nothing.
            for limit in ["0", "-5"] {
                let limited = try await room.run(["audit", "log", "--limit", limit])
                #expect(limited.status != 0)
                #expect(limited.stderr.contains("--limit"))
            }
            // Before: a port beyond 65535 trapped converting it to a socket address.
            let serve = try await room.run(["serve", "--port", "70000"])
            #expect(serve.status != 0)
            #expect(serve.stderr.contains("--port"))
        }
    }

    @Test func anUnknownLogFormatIsRefusedBeforeAnythingRuns() async throws {
        try await CLIRoom.with { room in
            let serve = try await room.run(["serve"], environment: ["GALLEY_LOG_FORMAT": "yaml"])
            #expect(serve.status == 2, "\(serve.stderr)")
            #expect(serve.stderr.contains("GALLEY_LOG_FORMAT=yaml is not valid: expected json or text"), "\(serve.stderr)")
        }
    }

    /// Before: a `retrieved_at` that could not be read was dropped and the article created without it.
    @Test func aSourceTimeThatCannotBeReadIsRefusedNotDropped() async throws {
        try await CLIRoom.with { room in
            let file = try room.file(
                #"""
                {"title": "Ferries", "body": "A late crossing.", "section": "world",
                 "sources": [{"url": "https://example.org/f", "outlet": "Harbour", "retrieved_at": "9999999-01-01T00:00:00Z"}]}
                """#)
            let created = try await room.run(["articles", "create", "--file", file, "--actor", "wendy"])
            #expect(created.status == 2, "\(created.stdout) \(created.stderr)")
            #expect(created.stderr.contains("sources[0].retrieved_at"))
        }
    }
}
