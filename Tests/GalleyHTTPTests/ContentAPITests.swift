import Foundation
import GalleyCore
import HTTPTypes
import Testing

/// The content API shows readers the live text only, and shows a change on the next request
/// after its commit, on every server, although it answers from memory between changes.
@Suite struct ContentAPITests {
    @Test func unpublishedWorkNeverShows() async throws {
        try await APIHarness.with { api in
            let draftID = try await api.createArticle(title: "A draft nobody may read")
            let draft = try await api.call(.get, "/v1/articles/\(draftID)")
            let draftSlug = try #require(draft.json["slug"]?.stringValue)
            #expect(try await api.call(.get, "/content/v1/articles/\(draftSlug)", as: nil).status == .notFound)
            #expect(try await api.transition(draftID, "submit", as: "wendy").status == .ok)
            #expect(try await api.call(.get, "/content/v1/articles/\(draftSlug)", as: nil).status == .notFound)

            let live = try await api.publishArticle(title: "Ferries run late")
            let list = try await api.call(.get, "/content/v1/articles", as: nil)
            #expect(list.status == .ok)
            #expect(Self.slugs(list) == [live.slug])
        }
    }

    @Test func anEditShowsOnlyOnceItIsPublished() async throws {
        try await APIHarness.with { api in
            let (id, slug) = try await api.publishArticle(title: "Ferries run late")
            let first = try await api.call(.get, "/content/v1/articles/\(slug)", as: nil)
            #expect(first.status == .ok)
            #expect(first.json["title"] == "Ferries run late")
            #expect(first.json["body_html"]?.stringValue?.hasPrefix("<p>Caracas") == true)
            #expect(first.json["revision"] == 1)
            #expect(first.json["corrections"] == [])

            var edited = APIHarness.articleBody
            if case .object(var object) = edited {
                object["title"] = "Ferries run later than planned"
                object.removeValue(forKey: "section")
                object.removeValue(forKey: "tags")
                edited = .object(object)
            }
            let revision = try await api.call(.post, "/v1/articles/\(id)/revisions", as: "wendy", json: edited)
            #expect(revision.status == .created, "\(revision.text)")
            let meanwhile = try await api.call(.get, "/content/v1/articles/\(slug)", as: nil)
            #expect(meanwhile.json["title"] == "Ferries run late")
            #expect(meanwhile.json["revision"] == 1)
            #expect(!meanwhile.text.contains("later than planned"))
            let listed = try await api.call(.get, "/content/v1/articles", as: nil)
            #expect(!listed.text.contains("later than planned"))

            try api.expectSuccess(await api.transition(id, "submit", as: "wendy"))
            try api.expectSuccess(
                await api.call(
                    .post, "/v1/articles/\(id)/checkpoints", as: "fiona",
                    json: ["checkpoint": "source_check", "verdict": "passed", "revision": 2, "note": "ok"]))
            try api.expectSuccess(await api.transition(id, "approve", as: "eddie"))
            try api.expectSuccess(await api.transition(id, "publish", as: "eddie", extra: ["correction_note": "The headline said late."]))
            let after = try await api.call(.get, "/content/v1/articles/\(slug)", as: nil)
            #expect(after.json["title"] == "Ferries run later than planned")
            #expect(after.json["revision"] == 2)
            guard case .array(let corrections) = after.json["corrections"] else {
                Issue.record("no corrections: \(after.text)")
                return
            }
            #expect(corrections.first?["note"] == "The headline said late.")
            #expect(after.headers[.eTag] != first.headers[.eTag])
        }
    }

    @Test func unpublishingAndRetractingShowOnTheNextRequestOnEveryServer() async throws {
        try await APIHarness.with { api in
            let (id, slug) = try await api.publishArticle(title: "Ferries run late")
            try await api.secondServer { other in
                // Both servers hold the rendered article in memory.
                #expect(try await api.call(.get, "/content/v1/articles/\(slug)", as: nil).status == .ok)
                #expect(try await other.call(.get, "/content/v1/articles/\(slug)", as: nil).status == .ok)

                try api.expectSuccess(await api.transition(id, "unpublish", as: "eddie", extra: ["reason": "legal hold"]))
                #expect(try await other.call(.get, "/content/v1/articles/\(slug)", as: nil).status == .notFound)
                #expect(Self.slugs(try await other.call(.get, "/content/v1/articles", as: nil)) == [])

                try api.expectSuccess(
                    await api.transition(id, "retract", as: "eddie", extra: ["reason": "fabricated", "notice": "This article was retracted."]))
                let retracted = try await other.call(.get, "/content/v1/articles/\(slug)", as: nil)
                #expect(retracted.status == .ok)
                #expect(retracted.json["title"] == "Ferries run late")
                #expect(retracted.json["retraction"]?["notice"] == "This article was retracted.")
                #expect(Set(retracted.json.keys) == ["slug", "title", "retraction"])
                #expect(!retracted.text.contains("Caracas"))
            }
        }
    }

    @Test func conditionalRequestsAnswerNotModified() async throws {
        try await APIHarness.with { api in
            let (id, slug) = try await api.publishArticle(title: "Ferries run late")
            let first = try await api.call(.get, "/content/v1/articles/\(slug)", as: nil)
            let etag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl] == "public, max-age=60, stale-while-revalidate=600")
            #expect(first.headers[.lastModified]?.hasSuffix(" GMT") == true)
            let again = try await api.call(.get, "/content/v1/articles/\(slug)", as: nil, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.isEmpty)
            #expect(again.headers[.eTag] == etag)
            let listTag = try #require(try await api.call(.get, "/content/v1/articles", as: nil).headers[.eTag])
            #expect(try await api.call(.get, "/content/v1/articles", as: nil, headers: [.ifNoneMatch: "W/\(listTag)"]).status == .notModified)

            try api.expectSuccess(
                await api.transition(id, "retract", as: "eddie", extra: ["reason": "fabricated", "notice": "Retracted."]))
            let changed = try await api.call(.get, "/content/v1/articles/\(slug)", as: nil, headers: [.ifNoneMatch: etag])
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] != etag)
        }
    }

    @Test func listsPageAndFilter() async throws {
        try await APIHarness.with { api in
            var slugs: [String] = []
            for title in ["One", "Two", "Three"] { slugs.append(try await api.publishArticle(title: "Ferries \(title)").slug) }
            let first = try await api.call(.get, "/content/v1/articles?limit=2", as: nil)
            #expect(Self.slugs(first) == [slugs[2], slugs[1]])
            let cursor = try #require(first.json["next_cursor"]?.stringValue)
            let encoded = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor
            let second = try await api.call(.get, "/content/v1/articles?limit=2&cursor=\(encoded)", as: nil)
            #expect(Self.slugs(second) == [slugs[0]])
            #expect(second.json["next_cursor"] == nil)
            #expect(Self.slugs(try await api.call(.get, "/content/v1/articles?section=politics", as: nil)) == [])
            #expect(Self.slugs(try await api.call(.get, "/content/v1/articles?tag=venezuela", as: nil)).count == 3)
            #expect(Self.slugs(try await api.call(.get, "/content/v1/articles?updated_since=2999-01-01T00:00:00Z", as: nil)) == [])
            #expect(try await api.call(.get, "/content/v1/articles?limit=51", as: nil).status == .unprocessableContent)
            #expect(try await api.call(.get, "/content/v1/articles?cursor=nonsense", as: nil).status == .unprocessableContent)
        }
    }

    static func slugs(_ reply: APIHarness.Reply) -> [String] {
        guard case .array(let items) = reply.json["items"] else { return [] }
        return items.compactMap { $0["slug"]?.stringValue }
    }
}
