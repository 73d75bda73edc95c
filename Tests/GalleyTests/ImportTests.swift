import Foundation
import Galley
import GalleyCore
import Postgres
import Synchronization
import TestSupport
import Testing

/// Imports write a chunk of drafts with set-based statements and fall back to one draft at a
/// time when a chunk fails; both ways must leave exactly the same rows.
@Suite struct ImportTests {
    /// Ids 1, 2, 3, … (in the first eight digits, which slugs borrow) so that two databases
    /// get the same ones.
    final class Counter: Sendable {
        let next = Mutex(0)
        func id() -> UUID {
            let n = next.withLock {
                $0 += 1
                return $0
            }
            return UUID(uuidString: String(format: "%08x-0000-4000-8000-000000000000", n))!
        }
    }

    static let now = Date(timeIntervalSince1970: 1_790_000_000.123456)
    static let operatorCaller = Caller(principal: .operator(osUser: "test"))

    /// A fresh database whose clock stands still and whose ids count up, with an AI agent.
    static func withRoom<Result>(_ body: (GalleyServices, PostgresPool, Caller) async throws -> Result) async throws -> Result {
        try await TestDatabase.withMigratedDatabase(poolSize: 4) { pool, _ in
            let counter = Counter()
            let services = GalleyServices(environment: GalleyEnvironment(pool: pool, now: { now }, newID: counter.id))
            let agent = try await services.actors.add(
                .init(name: "drafter", kind: .service, roles: [.aiAgent]), by: operatorCaller)
            return try await body(services, pool, Caller(principal: agent.principal, requestID: "req-import"))
        }
    }

    static func draft(
        _ line: Int, _ title: String, section: String = "politics", slug: String? = nil, body: String = "The reform passed on Thursday.",
        insight: String? = "Turnout was high.", sources: [Source] = [Source(url: "https://example.org/vote", outlet: "Press Office", title: "Vote")],
        tags: [String] = ["water"], inputTokens: Int? = 1200
    ) throws -> ImportService.Draft {
        ImportService.Draft(
            line: line, section: section, tags: tags, slug: slug,
            content: try ArticleContent(title: title, dek: "What changes", body: body, insight: insight, disclosure: nil, sources: sources),
            model: "gpt-x", modelVersion: "2026-10", promptVersion: "analysis-v3",
            parameters: ["temperature": .number(0.2), "stop": ["\n\n", "END"], "nested": ["deep": ["x": true]]],
            sources: sources, inputTokens: inputTokens, outputTokens: inputTokens.map { $0 / 2 })
    }

    /// Drafts that exercise every column: shared titles, a taken slug, an own slug, no
    /// sources, several sources, quotes and backslashes, non-ASCII text, messy tags, a draft
    /// the service refuses.
    static func drafts() throws -> [ImportService.Draft] {
        let retrieved = Date(timeIntervalSince1970: 1_780_000_000.5)
        return [
            try draft(1, "Water reform passes"),
            try draft(2, "Water reform passes", body: "Second \"take\" with a \\ backslash,\nand a new line."),
            try draft(3, "Existing title"),
            try draft(4, "Own slug", slug: "chosen-slug", insight: nil, sources: [], tags: []),
            try draft(5, "Ümlaut café — naïve résumé 東京", body: "Ünïcödé bödy, with 'quotes' and {braces} and \"{,}\"."),
            try draft(
                6, "Many sources",
                sources: [
                    Source(url: "https://example.org/b", outlet: "B", title: "Second", retrievedAt: retrieved),
                    Source(url: "https://example.org/a", outlet: "A", title: "First"),
                ],
                tags: [" Water ", "water", "FLOODS"], inputTokens: nil),
            try draft(7, "Bad section", section: "Not A Slug"),
            try draft(8, "Water reform passes"),
        ]
    }

    /// Every row the import wrote, in a fixed order (without the transaction id a chain head
    /// records, which differs from one database to the next).
    static func dump(_ pool: PostgresPool) async throws -> [String] {
        var rows: [String] = []
        for (table, order) in [
            ("articles", "id"), ("article_search", "article_id"), ("generations", "id"), ("revisions", "article_id, number"),
            ("sources", "article_id, revision, position"), ("audit_events", "id"), ("audit_chain_heads", "chain"),
        ] {
            rows += try await pool.query(
                SQL(stringLiteral: "SELECT '\(table): ' || (to_jsonb(t) - 'moved_xid')::text AS row FROM \(table) t ORDER BY \(order)")
            )
            .map { try $0.decode("row", as: String.self) }
        }
        return rows
    }

    /// An importer kept to a desk imports only drafts for its sections; the others fail, naming the section.
    @Test func draftsOffTheImportersDeskFail() async throws {
        try await Self.withRoom { services, _, agent in
            let desked = try await services.actors.update(.name("drafter"), .init(sections: ["politics"]), by: Self.operatorCaller)
            let caller = Caller(principal: desked.principal, requestID: "req-import")
            #expect(agent.principal.sections.isEmpty)
            let results = try await services.imports.importDrafts(
                [try Self.draft(1, "Water reform passes"), try Self.draft(2, "Harbour ferries", section: "local")], atomic: false, by: caller)
            #expect(results.map(\.status) == [.imported, .failed])
            guard case .forbidden(_, let reason)? = results[1].error else {
                Issue.record("expected forbidden, got \(String(describing: results[1].error))")
                return
            }
            #expect(reason.contains("section local"))
        }
    }

    @Test func chunksWriteTheSameRowsAsDraftByDraft() async throws {
        let drafts = try Self.drafts()
        // The last line fails in each database, differently: refused before writing (the
        // chunk is written set-based), or a slug taken by line 1 (the chunk fails and is
        // written again draft by draft).
        let refused = try Self.draft(9, "Refused", section: "Not A Slug")
        let taken = try Self.draft(9, "Taken", slug: "water-reform-passes")
        func run(_ last: ImportService.Draft, prepared: Bool) async throws -> ([ImportService.LineResult], [String]) {
            try await Self.withRoom { services, pool, agent in
                _ = try await services.imports.importDrafts([try Self.draft(0, "Existing title")], atomic: false, by: agent)
                let all = drafts + [last]
                let results =
                    prepared
                    ? try await services.imports.importDrafts(try await services.imports.prepare(all, by: agent), atomic: false, by: agent)
                    : try await services.imports.importDrafts(all, atomic: false, by: agent)
                return (results, try await Self.dump(pool))
            }
        }
        let (setBased, setRows) = try await run(refused, prepared: true)
        let (inline, inlineRows) = try await run(refused, prepared: false)
        let (oneByOne, oneByOneRows) = try await run(taken, prepared: false)

        #expect(setBased.map(\.status) == [.imported, .imported, .imported, .imported, .imported, .imported, .failed, .imported, .failed])
        #expect(setBased == inline)
        #expect(Array(setBased.dropLast()) == Array(oneByOne.dropLast()))
        guard case .validation = setBased.last?.error, case .conflict = oneByOne.last?.error else {
            Issue.record("line 9: \(String(describing: setBased.last)), \(String(describing: oneByOne.last))")
            return
        }
        #expect(setRows.count > 50)
        #expect(setRows == inlineRows)
        #expect(setRows == oneByOneRows)
        for (a, b) in zip(setRows, oneByOneRows) where a != b { Issue.record("set-based: \(a)\none by one: \(b)") }
    }

    @Test func importedChainsVerifyInLineOrder() async throws {
        try await Self.withRoom { services, pool, agent in
            let results = try await services.imports.importDrafts(try Self.drafts(), atomic: false, by: agent)
            let report = try await services.audit.verify(by: Self.operatorCaller)
            #expect(report.ok, "\(String(describing: report.firstBroken))")
            let events = try await pool.query(
                "SELECT article_id, seq, action FROM audit_events WHERE chain LIKE 'article:%' ORDER BY id"
            ).map { (try $0.decode("article_id", as: UUID.self), try $0.decode("seq", as: Int.self), try $0.decode("action", as: String.self)) }
            let imported = results.compactMap(\.articleID)
            #expect(events.map(\.0) == imported.flatMap { [$0, $0] })
            #expect(events.map(\.1) == imported.flatMap { _ in [1, 2] })
            #expect(events.map(\.2) == imported.flatMap { _ in ["article.created", "generation.succeeded"] })
        }
    }

    static func isConflict(_ error: GalleyError?) -> Bool {
        if case .conflict = error { true } else { false }
    }

    /// More drafts than one chunk, with a slug conflict in the second chunk.
    @Test func aBadDraftInALaterChunkFailsAloneOrRollsEverythingBack() async throws {
        let drafts =
            try (1...300).map { try Self.draft($0, "Draft number \($0)") }
            + [try Self.draft(301, "Conflict", slug: "draft-number-280")]
        try await Self.withRoom { services, pool, agent in
            let atomic = try await services.imports.importDrafts(drafts, atomic: true, by: agent)
            #expect(atomic.filter { $0.status == .rolledBack }.count == 300)
            #expect(atomic.last?.status == .failed && Self.isConflict(atomic.last?.error))
            #expect(try await pool.query("SELECT count(*) AS n FROM articles").single?.decode("n", as: Int.self) == 0)

            let results = try await services.imports.importDrafts(drafts, atomic: false, by: agent)
            #expect(results.map(\.line) == Array(1...301))
            #expect(results.filter { $0.status == .imported }.count == 300)
            #expect(results.last?.status == .failed && Self.isConflict(results.last?.error))
            #expect(try await pool.query("SELECT count(*) AS n FROM articles").single?.decode("n", as: Int.self) == 300)
            #expect(try await services.audit.verify(by: Self.operatorCaller).ok)
        }
    }
}
