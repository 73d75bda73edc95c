import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Testing

@testable import GalleyHTTP

/// Article views are written by hand (`JSONWritable`); they must be byte for byte what
/// `JSONEncoder` wrote before, for every shape an article takes.
@Suite struct ArticleJSONTests {
    @Test func handWrittenArticlesMatchJSONEncoder() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle(section: "culture", title: "Quotes \" and \\ and a\nline break ✓")
            for actor in ["fiona"] {
                let recorded = try await api.call(
                    .post, "/v1/articles/\(id)/checkpoints", as: actor,
                    json: ["checkpoint": "source_check", "verdict": "passed", "revision": 1, "note": "ok"])
                #expect(recorded.status == .created, "\(recorded.text)")
            }
            #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            #expect(try await api.transition(id, "approve", as: "eddie").status == .ok)
            #expect(try await api.transition(id, "publish", as: "eddie").status == .ok)
            let edited = try await api.call(
                .post, "/v1/articles/\(id)/revisions", as: "wendy",
                json: [
                    "title": "Second", "body": "Changed\ttext", "insight": "Why", "disclosure": "AI helped",
                    "sources": [["url": "https://example.org/2", "outlet": "Wire", "title": "Two"]],
                ])
            #expect(edited.status == .created, "\(edited.text)")

            let uuid = try #require(UUID(uuidString: id))
            let caller = Caller(principal: .operator(osUser: "test"))
            let detail = try await api.services.articles.get(uuid, by: caller)
            #expect(detail.live != nil && detail.live?.number != detail.current.number)
            let draftDetail = try await api.services.articles.get(try #require(UUID(uuidString: try await api.createArticle())), by: caller)
            let assigned = try await api.createArticle()
            for (step, assignee, due) in [("source_check", "fiona", "2026-12-24T18:00:00.25Z"), ("approval", "erin", nil)] {
                var body: [String: JSONValue] = ["checkpoint": .string(step), "assignee": .string(assignee)]
                if let due { body["due_at"] = .string(due) }
                let reply = try await api.call(.post, "/v1/articles/\(assigned)/assignments", as: "eddie", json: .object(body))
                #expect(reply.status == .created, "\(reply.text)")
            }
            let assignedDetail = try await api.services.articles.get(try #require(UUID(uuidString: assigned)), by: caller)
            #expect(assignedDetail.assignments.count == 2)
            let views: [ArticleDTO] = [
                ArticleDTO(detail), ArticleDTO(draftDetail), ArticleDTO(detail.article, current: detail.current),
                ArticleDTO(assignedDetail),
            ]
            for view in views {
                #expect(try written(view) == String(decoding: try WireJSON.encoder.encode(view), as: UTF8.self))
            }
            let list = ListDTO(items: views, next_cursor: "abc")
            #expect(try written(list) == String(decoding: try WireJSON.encoder.encode(list), as: UTF8.self))
            let lastPage = ListDTO(items: [ArticleDTO](), next_cursor: nil)
            #expect(try written(lastPage) == String(decoding: try WireJSON.encoder.encode(lastPage), as: UTF8.self))
        }
    }

    private func written(_ value: some Encodable) throws -> String {
        String(buffer: try Reply(.ok, value).body)
    }
}
