import Foundation
import GalleyCore
import Hummingbird
import Testing

@Suite struct DiffAndExportTests {
    /// Creates an article with `body` and a second revision with `newBody`; returns its id.
    func twoRevisions(_ api: APIHarness, body: String, newBody: String) async throws -> String {
        var article = APIHarness.articleBody
        if case .object(var object) = article {
            object["body"] = .string(body)
            article = .object(object)
        }
        let created = try await api.call(.post, "/v1/articles", as: "wendy", json: article)
        #expect(created.status == .created, "\(created.text)")
        let id = try #require(created.json["id"]?.stringValue)
        let edited = try await api.call(
            .post, "/v1/articles/\(id)/revisions", as: "wendy",
            json: ["title": "Venezuela releases political prisoners", "dek": "What it means", "body": .string(newBody)])
        #expect(edited.status == .created, "\(edited.text)")
        return id
    }

    func segments(_ reply: APIHarness.Reply) -> [(op: String, text: String)] {
        guard case .array(let items)? = reply.json["segments"] else { return [] }
        return items.compactMap { item in
            guard let op = item["op"]?.stringValue, let text = item["text"]?.stringValue else { return nil }
            return (op, text)
        }
    }

    @Test func aChangedWordInALongParagraphShowsOnlyThatWord() async throws {
        try await APIHarness.with { api in
            let words = (0..<400).map { "word\($0)" }
            let old = words.joined(separator: " ") + ".\n\nA second paragraph  keeps its double space."
            let new = old.replacingOccurrences(of: "word150 ", with: "changed ")
            let id = try await twoRevisions(api, body: old, newBody: new)
            let reply = try await api.call(.get, "/v1/articles/\(id)/revisions/2/diff?against=1")
            #expect(reply.status == .ok, "\(reply.text)")
            let parts = segments(reply)
            #expect(parts.filter { $0.op == "removed" }.map(\.text) == ["word150 "], "\(reply.text)")
            #expect(parts.filter { $0.op == "added" }.map(\.text) == ["changed "])
            // White space is kept: the segments put the two texts back together exactly.
            let newText = parts.filter { $0.op != "removed" }.map(\.text).joined()
            let oldText = parts.filter { $0.op != "added" }.map(\.text).joined()
            #expect(newText.hasSuffix(new))
            #expect(oldText.hasSuffix(old))
        }
    }

    /// Two long, entirely different texts were diffed for minutes; now the answer is a quick 422.
    @Test func entirelyDifferentLongTextsAreRefusedQuickly() async throws {
        try await APIHarness.with { api in
            let old = (0..<2_500).map { "alpha\($0) beta\($0) gamma\($0)" }.joined(separator: "\n")
            let new = (0..<2_500).map { "delta\($0) epsilon\($0) zeta\($0)" }.joined(separator: "\n")
            let id = try await twoRevisions(api, body: old, newBody: new)
            let started = ContinuousClock.now
            let reply = try await api.call(.get, "/v1/articles/\(id)/revisions/2/diff?against=1")
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(reply.status == .unprocessableContent, "\(reply.status)")
            #expect(reply.json["type"]?.stringValue == "https://galley.dev/problems/too-large-to-diff")
            #expect(reply.json["detail"]?.stringValue?.contains("too large to diff") == true)
            #expect(reply.json["detail"]?.stringValue?.contains("words") == true)
        }
    }

    @Test func csvExportNeutralisesFormulaCells() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            let refused = try await api.transition(id, "request_changes", as: "eddie", extra: ["reason": "+1-2@cmd"])
            #expect(refused.status == .ok, "\(refused.text)")
            let csv = try await api.call(.get, "/v1/audit-events/export?format=csv", as: "ada")
            #expect(csv.status == .ok)
            #expect(csv.text.contains(",'+1-2@cmd,"), "\(csv.text)")
            #expect(!csv.text.contains(",+1-2@cmd,"))
        }
    }

    /// libpq cut a parameter at U+0000, so a filter with one silently matched something else.
    @Test func aNulCharacterInAQueryParameterIsRefusedNamingIt() async throws {
        try await APIHarness.with { api in
            let reply = try await api.call(.get, "/v1/audit-events?actor=eddie%00x", as: "ada")
            #expect(reply.status == .unprocessableContent, "\(reply.status) \(reply.text)")
            #expect(reply.text.contains("actor"))
            #expect(reply.text.contains("NUL"))
        }
    }
}
