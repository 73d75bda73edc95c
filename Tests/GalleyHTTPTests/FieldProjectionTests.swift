import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Testing

@testable import GalleyHTTP

/// `GET /v1/articles?fields=…`: a list carries only the members asked for, and no bodies
/// unless the current revision is asked for.
@Suite struct FieldProjectionTests {
    private static let longBody = String(repeating: "A paragraph of the story that goes on.\n", count: 300) + "The end."

    private func items(_ reply: APIHarness.Reply) -> [[String: JSONValue]] {
        guard case .array(let items) = reply.json["items"] else { return [] }
        return items.compactMap { if case .object(let item) = $0 { item } else { nil } }
    }

    @Test func aSummaryListCarriesOnlyTheFieldsAskedForAndNoBodies() async throws {
        try await APIHarness.with { api in
            var ids: [String] = []
            for title in ["First story", "Second story"] {
                var body = APIHarness.articleBody
                if case .object(var object) = body {
                    object["title"] = .string(title)
                    object["body"] = .string(Self.longBody)
                    body = .object(object)
                }
                let created = try await api.call(.post, "/v1/articles", as: "wendy", json: body)
                ids.append(try #require(created.json["id"]?.stringValue))
                #expect(try await api.transition(ids.last!, "submit", as: "wendy").status == .ok)
            }
            let full = try await api.call(.get, "/v1/articles?state=in_review&limit=50")
            let summary = try await api.call(.get, "/v1/articles?state=in_review&limit=50&fields=id,title,state,updated_at")
            #expect(summary.status == .ok, "\(summary.text)")
            let listed = items(summary)
            #expect(listed.map { Set($0.keys) } == Array(repeating: ["id", "title", "state", "updated_at"], count: 2))
            #expect(listed.map { $0["id"]?.stringValue } == items(full).map { $0["id"]?.stringValue })
            #expect(listed.map { $0["title"]?.stringValue } == ["Second story", "First story"])
            #expect(listed.map { $0["updated_at"] } == items(full).map { $0["updated_at"] })
            #expect(listed.allSatisfy { $0["state"]?.stringValue == "in_review" })
            // Two 12 KB bodies in the full list; none in the summary.
            #expect(full.body.count > 20_000)
            #expect(summary.body.count < 500, "\(summary.text)")

            // The whole current revision only when asked for; the cursor pages as without fields.
            let withRevision = try await api.call(.get, "/v1/articles?state=in_review&limit=1&fields=current_revision,id")
            let first = try #require(items(withRevision).first)
            #expect(Set(first.keys) == ["current_revision", "id"])
            guard case .object(let revision) = first["current_revision"] else { throw HarnessError("no current revision") }
            #expect(revision["body"]?.stringValue == Self.longBody)
            let cursor = try #require(withRevision.json["next_cursor"]?.stringValue)
            let next = try await api.call(.get, "/v1/articles?state=in_review&limit=1&fields=id&cursor=\(cursor)")
            #expect(items(next).map { $0["id"]?.stringValue } == [ids[0]])
        }
    }

    /// A summary list reads each member on its own (only the columns asked for): alone or all
    /// together, each is what the whole list shows for it.
    @Test func eachFieldIsWhatTheWholeListShows() async throws {
        try await APIHarness.with { api in
            _ = try await api.publishArticle(title: "A published story")
            _ = try await api.createArticle(section: "culture", title: "A draft")
            let full = items(try await api.call(.get, "/v1/articles?limit=50"))
            let names = ArticleField.allCases.map(\.rawValue).filter { $0 != "current_revision" && $0 != "title" }
            let all = items(try await api.call(.get, "/v1/articles?limit=50&fields=\(names.joined(separator: ","))"))
            #expect(all == full.map { $0.filter { names.contains($0.key) } })
            #expect(all.contains { $0["live_revision"] != nil && $0["responsible_editor"] != nil }, "a published article has both")
            for name in names {
                let one = items(try await api.call(.get, "/v1/articles?limit=50&fields=\(name)"))
                #expect(one == full.map { $0.filter { $0.key == name } }, "fields=\(name)")
            }
        }
    }

    @Test func anUnknownFieldIsRefusedByNameWithTheFieldsThatExist() async throws {
        try await APIHarness.with { api in
            for (fields, named) in [("id,body", "unknown field \"body\""), ("id,,state", "an empty name"), ("", "an empty name")] {
                let reply = try await api.call(.get, "/v1/articles?fields=\(fields)")
                #expect(reply.status == .unprocessableContent, "\(fields): \(reply.text)")
                let detail = reply.json["detail"]?.stringValue ?? ""
                #expect(detail.contains(named), "\(reply.text)")
                #expect(detail.contains("the fields are created_at, current_revision, id"), "\(reply.text)")
            }
            let long = Array(repeating: "id", count: 200).joined(separator: ",")
            let refused = try await api.call(.get, "/v1/articles?fields=\(long)")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("is longer than 400 characters"))
        }
    }

    /// The projection is written by hand (`JSONWritable`); it must be what `JSONEncoder` writes.
    @Test func handWrittenProjectionsMatchJSONEncoder() async throws {
        try await APIHarness.with { api in
            let id = try #require(UUID(uuidString: try await api.createArticle(title: "Quotes \" and ✓")))
            let caller = Caller(principal: .operator(osUser: "test"))
            let page = try await api.services.articles.list(.init(), fields: Set(ArticleField.allCases), by: caller)
            let listed = try #require(page.items.first { $0.id == id })
            for fields in [Set(ArticleField.allCases), [.id, .title, .state, .updated_at], [.live_revision, .publish_at], []] {
                let view = ArticleFieldsDTO(listed, fields: fields)
                let written = String(buffer: try Reply(.ok, view).body)
                #expect(written == String(decoding: try WireJSON.encoder.encode(view), as: UTF8.self))
            }
        }
    }
}
