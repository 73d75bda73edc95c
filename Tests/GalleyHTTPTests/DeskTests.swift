import Foundation
import GalleyCore
import HTTPTypes
import Testing

/// Desks: an actor with sections changes only articles in those sections; reading stays open.
@Suite struct DeskTests {
    func keep(_ api: APIHarness, _ names: [String], to sections: [JSONValue]) async throws {
        let ids = try await api.actorIDs()
        for name in names {
            let reply = try await api.call(.patch, "/v1/actors/\(try #require(ids[name]))", as: "ada", json: ["sections": .array(sections)])
            #expect(reply.status == .ok, "\(reply.text)")
        }
    }

    func expectOffDesk(_ reply: APIHarness.Reply, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == .forbidden, "\(what): \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.text.contains("section local"), "\(what): \(reply.text)", sourceLocation: sourceLocation)
    }

    @Test func everyWriteOffTheDeskIsRefusedNamingTheSectionAndReadingStaysOpen() async throws {
        try await APIHarness.with { api in
            let local = try await api.createArticle(section: "local", title: "Harbour ferries add a late crossing")
            let claim = try await api.call(.post, "/v1/articles/\(local)/claims", as: "fiona", json: ["text": "A claim", "revision": 1])
            let claimID = try #require(claim.json["id"]?.stringValue)
            let world = try await api.createArticle(section: "world")
            try await keep(api, ["wendy", "eddie", "fiona", "drafter", "publish-bot"], to: ["world"])

            var body = APIHarness.articleBody
            if case .object(var object) = body {
                object["section"] = "local"
                object["title"] = "A second local story"
                body = .object(object)
            }
            expectOffDesk(try await api.call(.post, "/v1/articles", as: "wendy", json: body), "create")
            expectOffDesk(
                try await api.call(.post, "/v1/articles/\(local)/revisions", as: "wendy", json: ["title": "T", "body": "New body"]), "edit")
            expectOffDesk(try await api.transition(local, "submit", as: "wendy"), "submit")
            expectOffDesk(
                try await api.call(
                    .post, "/v1/articles/\(local)/checkpoints", as: "fiona",
                    json: ["checkpoint": "source_check", "verdict": "passed", "revision": 1]), "verdict")
            expectOffDesk(try await api.call(.post, "/v1/articles/\(local)/claims", as: "fiona", json: ["text": "B", "revision": 1]), "claim")
            expectOffDesk(
                try await api.call(.patch, "/v1/articles/\(local)/claims/\(claimID)", as: "fiona", json: ["status": "verified"]), "claim update")
            expectOffDesk(try await api.transition(local, "spike", as: "eddie", extra: ["reason": "duplicate"]), "spike")
            expectOffDesk(try await api.transition(local, "approve", as: "eddie"), "approve")
            expectOffDesk(
                try await api.call(
                    .post, "/v1/generations", as: "drafter",
                    json: ["brief": ["section": "local"], "model": "m", "model_version": "1", "prompt_version": "1"]), "generation")
            expectOffDesk(
                try await api.call(
                    .post, "/v1/generations", as: "drafter",
                    json: ["article_id": .string(local), "model": "m", "model_version": "1", "prompt_version": "1"]), "generation of an article")
            let batch = try await api.call(.post, "/v1/publish-batches", as: "publish-bot", json: ["article_ids": [.string(local)]])
            #expect(batch.text.contains("section local"), "\(batch.text)")

            // Reading stays open; the own desk is open for writing.
            for name in ["wendy", "eddie", "fiona"] {
                #expect(try await api.call(.get, "/v1/articles/\(local)", as: name).status == .ok)
                #expect(try await api.call(.get, "/v1/articles/\(local)/history", as: name).status == .ok)
            }
            #expect(try await api.transition(world, "submit", as: "wendy").status == .ok)
            #expect(try await api.transition(world, "spike", as: "eddie", extra: ["reason": "duplicate"]).status == .ok)
            // An actor without a desk has every section.
            #expect(try await api.transition(local, "spike", as: "erin", extra: ["reason": "duplicate"]).status == .ok)
            let state = try await api.call(.get, "/v1/articles/\(local)")
            #expect(state.json["state"] == "spiked")
        }
    }

    /// The held detail's fast path decides on the article it holds: the desk is checked there too.
    @Test func theDeskIsCheckedOnTheCachedTransitionPath() async throws {
        try await APIHarness.with { api in
            let local = try await api.createArticle(section: "local")
            #expect(try await api.call(.get, "/v1/articles/\(local)", as: "wendy").status == .ok)
            try await keep(api, ["wendy"], to: ["world", "sport"])
            expectOffDesk(try await api.transition(local, "submit", as: "wendy"), "submit")
            let me = try await api.call(.get, "/v1/me", as: "wendy")
            #expect(me.json["sections"] == ["sport", "world"])
        }
    }
}
