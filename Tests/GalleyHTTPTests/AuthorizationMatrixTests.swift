import Foundation
import GalleyCore
import HTTPTypes
import Testing

/// Every route × every role: 403 exactly when the role may not use the route.
@Suite struct AuthorizationMatrixTests {
    static let everyone: Set<String> = ["wendy", "eddie", "fiona", "lou", "drafter", "publish-bot", "ada"]
    static let editors: Set<String> = ["eddie", "ada"]
    static let people: Set<String> = ["wendy", "eddie", "fiona", "lou", "ada"]

    struct Case: Sendable {
        let method: HTTPRequest.Method
        let path: String
        let body: JSONValue?
        let allowed: Set<String>
    }

    @Test func everyRouteForEveryRole() async throws {
        try await APIHarness.with { api in
            let article = try await api.createArticle()
            let claim = try await api.call(.post, "/v1/articles/\(article)/claims", as: "fiona", json: ["text": "A claim", "revision": 1])
            let claimID = try #require(claim.json["id"]?.stringValue)
            let generation = try await api.call(
                .post, "/v1/generations", as: "drafter",
                json: ["brief": ["section": "world"], "model": "m", "model_version": "1", "prompt_version": "1"])
            let generationID = try #require(generation.json["id"]?.stringValue)
            let actors = try await api.call(.get, "/v1/actors", as: "ada")
            guard case .array(let actorItems) = actors.json["items"], let actorID = actorItems.first?["id"]?.stringValue else {
                Issue.record("no actors")
                return
            }
            let wendyID = try #require(try await api.actorIDs()["wendy"])
            let comment = try await api.call(.post, "/v1/articles/\(article)/comments", as: "wendy", json: ["body": "A thread"])
            let commentID = try #require(comment.json["id"]?.stringValue)
            let a = "/v1/articles/\(article)"
            let missing = UUID().uuidString.lowercased()
            let content: JSONValue = ["title": "T", "body": "New body text", "section": "world"]
            let cases: [Case] = [
                Case(method: .get, path: "/v1/articles", body: nil, allowed: Self.everyone),
                Case(method: .post, path: "/v1/articles", body: content, allowed: ["wendy", "eddie", "ada"]),
                Case(method: .get, path: a, body: nil, allowed: Self.everyone),
                Case(method: .post, path: "\(a)/revisions", body: content, allowed: ["wendy", "eddie", "ada"]),
                Case(method: .get, path: "\(a)/revisions", body: nil, allowed: Self.everyone),
                Case(method: .get, path: "\(a)/revisions/1", body: nil, allowed: Self.everyone),
                Case(method: .get, path: "\(a)/revisions/1/diff?against=1", body: nil, allowed: Self.everyone),
                Case(method: .post, path: "\(a)/transitions", body: ["action": "spike", "reason": "duplicate"], allowed: Self.editors),
                Case(method: .get, path: "\(a)/checkpoints", body: nil, allowed: Self.everyone),
                Case(
                    method: .post, path: "\(a)/checkpoints", body: ["checkpoint": "source_check", "verdict": "failed", "revision": 99],
                    allowed: ["fiona", "eddie", "ada"]),
                Case(method: .get, path: "\(a)/claims", body: nil, allowed: Self.everyone),
                Case(method: .post, path: "\(a)/claims", body: ["text": "Another", "revision": 99], allowed: ["fiona", "eddie", "ada"]),
                Case(method: .patch, path: "\(a)/claims/\(claimID)", body: ["status": "verified"], allowed: ["fiona", "eddie", "ada"]),
                Case(method: .get, path: "\(a)/comments", body: nil, allowed: Self.everyone),
                Case(method: .post, path: "\(a)/comments", body: ["body": "Looks right"], allowed: Self.people),
                Case(method: .patch, path: "\(a)/comments/\(commentID)", body: ["resolved": true], allowed: ["wendy", "eddie", "ada"]),
                Case(
                    method: .post, path: "\(a)/assignments", body: ["checkpoint": "source_check", "assignee": "nobody-at-all"],
                    allowed: Self.editors),
                Case(method: .delete, path: "\(a)/assignments/\(missing)", body: nil, allowed: Self.editors),
                Case(method: .get, path: "/v1/queue", body: nil, allowed: Self.everyone),
                Case(method: .get, path: "\(a)/history", body: nil, allowed: Self.everyone),
                Case(method: .get, path: "\(a)/provenance", body: nil, allowed: Self.everyone),
                Case(
                    method: .post, path: "/v1/generations",
                    body: ["article_id": .string(missing), "model": "m", "model_version": "1", "prompt_version": "1"],
                    allowed: ["drafter", "eddie", "ada"]),
                Case(method: .get, path: "/v1/generations", body: nil, allowed: Self.everyone),
                Case(method: .get, path: "/v1/generations/\(generationID)", body: nil, allowed: Self.everyone),
                Case(method: .patch, path: "/v1/generations/\(missing)", body: ["status": "running"], allowed: ["drafter", "eddie", "ada"]),
                Case(method: .post, path: "/v1/generations/\(missing)/retry", body: nil, allowed: ["drafter", "eddie", "ada"]),
                Case(
                    method: .post, path: "/v1/publish-batches", body: ["article_ids": [.string(missing)]], allowed: ["publish-bot", "eddie", "ada"]),
                Case(method: .get, path: "/v1/publish-batches/\(missing)", body: nil, allowed: ["publish-bot", "eddie", "ada"]),
                Case(method: .get, path: "/v1/audit-events", body: nil, allowed: ["eddie", "lou", "ada"]),
                Case(method: .get, path: "/v1/audit-events/export?format=jsonl", body: nil, allowed: ["eddie", "lou", "ada"]),
                Case(method: .get, path: "/v1/audit/verification", body: nil, allowed: ["eddie", "lou", "ada"]),
                Case(method: .get, path: "/v1/actors", body: nil, allowed: ["ada"]),
                Case(method: .post, path: "/v1/actors", body: ["name": "newbie", "roles": ["writer"]], allowed: ["ada"]),
                Case(method: .post, path: "/v1/actors/\(actorID)/tokens", body: [:], allowed: ["ada"]),
                // The first actor listed is ada herself: an admin changes anyone, no one else anybody.
                Case(method: .patch, path: "/v1/actors/\(actorID)", body: ["display_name": "Ada A."], allowed: ["ada"]),
                Case(method: .patch, path: "/v1/actors/\(missing)", body: ["display_name": "Nobody"], allowed: ["ada"]),
                // An admin sees anyone's tokens; an actor only their own.
                Case(method: .get, path: "/v1/actors/\(actorID)/tokens", body: nil, allowed: ["ada"]),
                Case(method: .get, path: "/v1/actors/\(wendyID)/tokens", body: nil, allowed: ["ada", "wendy"]),
                Case(method: .get, path: "/v1/me", body: nil, allowed: Self.everyone),
                Case(method: .delete, path: "/v1/tokens/\(missing)", body: nil, allowed: ["ada"]),
                // People's desk sessions: an admin's alone to see and end.
                Case(method: .get, path: "/v1/sessions", body: nil, allowed: ["ada"]),
                Case(method: .get, path: "/v1/sessions?actor=wendy", body: nil, allowed: ["ada"]),
                Case(method: .delete, path: "/v1/sessions/\(missing)", body: nil, allowed: ["ada"]),
                Case(method: .get, path: "/v1/workflow-policy", body: nil, allowed: Self.everyone),
                Case(
                    method: .put, path: "/v1/workflow-policy",
                    body: ["rules": [["checkpoint": "source_check", "roles": ["editor"]]]], allowed: ["ada"]),
            ]
            for test in cases {
                for actor in Self.everyone.sorted() {
                    let reply = try await api.call(test.method, test.path, as: actor, json: test.body ?? (test.method == .post ? [:] : nil))
                    let refused = reply.status == .forbidden
                    #expect(
                        refused != test.allowed.contains(actor),
                        "\(test.method) \(test.path) as \(actor): \(reply.status) \(reply.text.prefix(200))")
                    #expect(reply.status.code < 500, "\(test.method) \(test.path) as \(actor): \(reply.text.prefix(200))")
                    if refused {
                        #expect(reply.json["type"] == "https://galley.dev/problems/forbidden")
                        #expect(reply.json["detail"]?.stringValue?.contains("missing permission") == true)
                    }
                }
                let anonymous = try await api.call(test.method, test.path, as: nil, json: test.body)
                #expect(anonymous.status == .unauthorized, "\(test.method) \(test.path) without a token")
            }
        }
    }
}
