import Foundation
import GalleyCore
import HTTPTypes
import Testing

@Suite struct ConventionsTests {
    @Test func eachErrorClassHasItsStatusAndProblemType() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            func expectProblem(
                _ reply: APIHarness.Reply, _ status: HTTPResponse.Status, _ type: String, sourceLocation: SourceLocation = #_sourceLocation
            ) {
                #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
                #expect(reply.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
                #expect(reply.json["type"]?.stringValue == "https://galley.dev/problems/\(type)", sourceLocation: sourceLocation)
                #expect(reply.json["status"] == .number(Double(status.code)), sourceLocation: sourceLocation)
                #expect(reply.json["detail"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
            }
            expectProblem(try await api.call(.post, "/v1/articles", raw: "{\"title\": "), .badRequest, "malformed-request")
            let missing = try await api.call(.post, "/v1/articles", json: ["title": "T", "section": "world"])
            expectProblem(missing, .unprocessableContent, "validation")
            #expect(String(describing: missing.json["errors"]).contains("body"))
            let wrongType = try await api.call(.post, "/v1/articles", json: ["title": 5, "body": "b", "section": "world"])
            expectProblem(wrongType, .unprocessableContent, "validation")
            let badAction = try await api.transition(id, "teleport", as: "eddie")
            expectProblem(badAction, .unprocessableContent, "validation")
            #expect(String(describing: badAction.json["errors"]).contains("action"))
            expectProblem(try await api.call(.get, "/v1/articles/\(UUID().uuidString)"), .notFound, "not-found")
            expectProblem(try await api.call(.get, "/v1/articles/not-a-uuid"), .notFound, "not-found")
            expectProblem(try await api.call(.get, "/v1/nothing-here"), .notFound, "not-found")
            let refused = try await api.transition(id, "approve", as: "eddie")
            expectProblem(refused, .conflict, "transition-refused")
            expectProblem(try await api.call(.get, "/v1/articles/\(id)", as: nil), .unauthorized, "unauthenticated")
            expectProblem(
                try await api.call(.get, "/v1/articles/\(id)", as: nil, headers: [.authorization: "Bearer glly_nope"]), .unauthorized,
                "unauthenticated")
            expectProblem(try await api.call(.post, "/v1/actors", as: "eddie", json: ["name": "x", "roles": ["writer"]]), .forbidden, "forbidden")
            let stale = try await api.call(
                .post, "/v1/articles/\(id)/transitions", json: ["action": "spike", "reason": "dup"], headers: [.ifMatch: "\"999\""])
            expectProblem(stale, .preconditionFailed, "stale-version")
            let huge = String(repeating: "a", count: 2 * 1024 * 1024 + 10)
            expectProblem(try await api.call(.post, "/v1/articles", raw: "{\"title\": \"\(huge)\"}"), .contentTooLarge, "body-too-large")
            expectProblem(
                try await api.call(.post, "/v1/articles", raw: "title=x", headers: [.contentType: "application/x-www-form-urlencoded"]),
                .unsupportedMediaType, "unsupported-media-type")
            expectProblem(try await api.call(.get, "/v1/articles?limit=1000"), .unprocessableContent, "validation")
            expectProblem(try await api.call(.get, "/v1/articles?state=floating"), .unprocessableContent, "validation")
        }
    }

    @Test func requestIDsAreEchoedAndStoredOnAuditEvents() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let reply = try await api.call(
                .post, "/v1/articles/\(id)/transitions", as: "wendy", json: ["action": "submit"],
                headers: [HTTPField.Name("X-Request-Id")!: "trace-42"])
            #expect(reply.headers[HTTPField.Name("X-Request-Id")!] == "trace-42")
            let fresh = try await api.call(.get, "/v1/articles/\(id)")
            #expect(fresh.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
            let history = try await api.call(.get, "/v1/articles/\(id)/history")
            guard case .array(let events) = history.json["items"] else {
                Issue.record("no history")
                return
            }
            #expect(events.last?["request_id"] == "trace-42")
        }
    }

    @Test func idempotentPostsReplayAndRefuseADifferentBody() async throws {
        try await APIHarness.with { api in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "create-1"]
            let first = try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key)
            let second = try await api.call(.post, "/v1/articles", as: "wendy", json: APIHarness.articleBody, headers: key)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.json["id"] == first.json["id"])
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let list = try await api.call(.get, "/v1/articles")
            guard case .array(let items) = list.json["items"] else {
                Issue.record("no list")
                return
            }
            #expect(items.count == 1)
            var other = APIHarness.articleBody
            if case .object(var object) = other {
                object["title"] = "Another title"
                other = .object(object)
            }
            let clash = try await api.call(.post, "/v1/articles", as: "wendy", json: other, headers: key)
            #expect(clash.status == .unprocessableContent)
            // Keys belong to one actor: another actor's identical key is a new request.
            let editor = try await api.call(.post, "/v1/articles", as: "eddie", json: APIHarness.articleBody, headers: key)
            #expect(editor.status == .created)
            #expect(editor.json["id"] != first.json["id"])
        }
    }

    /// The transition route authenticates in its write when it can; with a key it
    /// authenticates first, and a retried transition replays instead of being refused.
    @Test func aRetriedTransitionWithItsKeyReplays() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "spike-1"]
            let body: JSONValue = ["action": "spike", "reason": "Duplicate"]
            let first = try await api.call(.post, "/v1/articles/\(id)/transitions", as: "eddie", json: body, headers: key)
            let second = try await api.call(.post, "/v1/articles/\(id)/transitions", as: "eddie", json: body, headers: key)
            #expect(first.status == .ok)
            #expect(second.status == .ok)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(second.json["version"] == first.json["version"])
            let unkeyed = try await api.call(.post, "/v1/articles/\(id)/transitions", as: "eddie", json: body)
            #expect(unkeyed.status == .conflict)
            let history = try await api.call(.get, "/v1/articles/\(id)/history")
            guard case .array(let events) = history.json["items"] else {
                Issue.record("no history")
                return
            }
            #expect(events.filter { $0["action"] == "article.spike" }.count == 1)
        }
    }

    @Test func etagsAndIfMatch() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let read = try await api.call(.get, "/v1/articles/\(id)")
            let tag = try #require(read.headers[.eTag])
            #expect(tag == "\"\(read.json["version"].map { "\($0)" } ?? "")\"" || tag.hasPrefix("\""))
            let submitted = try await api.call(
                .post, "/v1/articles/\(id)/transitions", as: "wendy", json: ["action": "submit"], headers: [.ifMatch: tag])
            #expect(submitted.status == .ok)
            #expect(submitted.headers[.eTag] != tag)
            let stale = try await api.call(
                .post, "/v1/articles/\(id)/revisions", as: "wendy", json: ["title": "T2", "body": "Changed"], headers: [.ifMatch: tag])
            #expect(stale.status == .preconditionFailed)
            let current = try #require(submitted.headers[.eTag])
            let edited = try await api.call(
                .post, "/v1/articles/\(id)/revisions", as: "wendy", json: ["title": "T2", "body": "Changed"], headers: [.ifMatch: current])
            #expect(edited.status == .created)
            #expect(edited.json["current_revision"]?["number"] == 2)
            #expect(edited.json["state"] == "draft")
        }
    }

    @Test func paginationWalksAThousandArticlesExactlyOnce() async throws {
        try await APIHarness.with { api in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for n in stride(from: worker, to: 1000, by: 8) {
                            _ = try await api.createArticle(title: "Story number \(n)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let path =
                    "/v1/articles?limit=200"
                    + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? "")
                let page = try await api.call(.get, path, as: "eddie")
                #expect(page.status == .ok)
                guard case .array(let items) = page.json["items"] else {
                    Issue.record("no items")
                    return
                }
                seen += items.compactMap { $0["id"]?.stringValue }
                cursor = page.json["next_cursor"]?.stringValue
            } while cursor != nil
            #expect(seen.count == 1000)
            #expect(Set(seen).count == 1000)
        }
    }

    @Test func revokedTokensAreRefusedAtOnce() async throws {
        try await APIHarness.with { api in
            let actors = try await api.call(.get, "/v1/actors", as: "ada")
            guard case .array(let items) = actors.json["items"],
                let wendy = items.first(where: { $0["name"] == "wendy" })?["id"]?.stringValue
            else {
                Issue.record("no wendy")
                return
            }
            let issued = try await api.call(.post, "/v1/actors/\(wendy)/tokens", as: "ada", json: ["expires_in": "30d"])
            #expect(issued.status == .created)
            let token = try #require(issued.json["token"]?.stringValue)
            #expect(token.hasPrefix("glly_"))
            let tokenID = try #require(issued.json["id"]?.stringValue)
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            #expect(try await api.call(.get, "/v1/articles", as: nil, headers: auth).status == .ok)
            // The server now knows the token and holds the draft: a submit would be written in
            // one statement that checks the token itself.
            let created = try await api.call(.post, "/v1/articles", as: nil, json: APIHarness.articleBody, headers: auth)
            let id = try #require(created.json["id"]?.stringValue)
            // Reading the held article checks the token with its version, on the shared session.
            #expect(try await api.call(.get, "/v1/articles/\(id)", as: nil, headers: auth).status == .ok)
            #expect(try await api.call(.delete, "/v1/tokens/\(tokenID)", as: "ada").status == .noContent)
            #expect(try await api.call(.get, "/v1/articles", as: nil, headers: auth).status == .unauthorized)
            #expect(try await api.call(.get, "/v1/articles/\(id)", as: nil, headers: auth).status == .unauthorized)
            let submit = try await api.call(.post, "/v1/articles/\(id)/transitions", as: nil, json: ["action": "submit"], headers: auth)
            #expect(submit.status == .unauthorized)
            #expect(try await api.call(.get, "/v1/articles/\(id)", as: "ada").json["state"] == "draft")
        }
    }

    /// A token the server remembers names its caller without a round trip; until the
    /// database confirms it, nothing is answered, written or refused for it: a revoked one gets
    /// 401 where a live one would get 403, 404, 422 or a replayed answer.
    @Test func aRememberedTokenRevokedIsRefusedBeforeAnyOtherAnswer() async throws {
        try await APIHarness.with { api in
            let wendy = try #require(
                try await api.call(.get, "/v1/actors", as: "ada").json["items"].flatMap { items -> String? in
                    guard case .array(let items) = items else { return nil }
                    return items.first(where: { $0["name"] == "wendy" })?["id"]?.stringValue
                })
            let issued = try await api.call(.post, "/v1/actors/\(wendy)/tokens", as: "ada", json: [:])
            let token = try #require(issued.json["token"]?.stringValue)
            let tokenID = try #require(issued.json["id"]?.stringValue)
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            let id = try #require(
                try await api.call(.post, "/v1/articles", as: nil, json: APIHarness.articleBody, headers: auth).json["id"]?.stringValue)
            #expect(try await api.call(.get, "/v1/actors", as: nil, headers: auth).status == .forbidden)
            #expect(try await api.call(.delete, "/v1/tokens/\(tokenID)", as: "ada").status == .noContent)
            let missing = "00000000-0000-4000-8000-000000000000"
            #expect(try await api.call(.get, "/v1/actors", as: nil, headers: auth).status == .unauthorized)
            #expect(try await api.call(.get, "/v1/articles/\(missing)", as: nil, headers: auth).status == .unauthorized)
            #expect(try await api.call(.get, "/v1/articles/not-an-id", as: nil, headers: auth).status == .unauthorized)
            #expect(try await api.call(.post, "/v1/articles", as: nil, json: ["section": "World"], headers: auth).status == .unauthorized)
            #expect(try await api.call(.post, "/v1/articles", as: nil, json: APIHarness.articleBody, headers: auth).status == .unauthorized)
            for action in ["submit", "approve", "publish", "fly"] {
                let reply = try await api.call(.post, "/v1/articles/\(id)/transitions", as: nil, json: ["action": .string(action)], headers: auth)
                #expect(reply.status == .unauthorized, "\(action)")
            }
            var keyed = auth
            keyed[IdempotencyTests.keyHeader] = "revoked-1"
            #expect(
                try await api.call(.post, "/v1/articles/\(id)/transitions", as: nil, json: ["action": "submit"], headers: keyed).status
                    == .unauthorized)
            #expect(try await api.call(.get, "/v1/articles/\(id)", as: "ada").json["state"] == "draft")
            guard case .array(let articles) = try await api.call(.get, "/v1/articles", as: "ada").json["items"] else {
                Issue.record("no list")
                return
            }
            #expect(articles.count == 1)
        }
    }

    /// A transition checks its token in the statement that writes; what it refuses before
    /// writing it refuses to an unknown token as 401, like every other route.
    @Test func aTransitionRefusesStrangersBeforeAnythingElse() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let stranger: HTTPFields = [.authorization: "Bearer glly_notatoken"]
            for body: JSONValue in [["action": "submit"], ["action": "fly"], ["reason": "no action"]] {
                let reply = try await api.call(.post, "/v1/articles/\(id)/transitions", as: nil, json: body, headers: stranger)
                #expect(reply.status == .unauthorized, "\(body)")
            }
            #expect(
                try await api.call(.post, "/v1/articles/not-an-id/transitions", as: nil, json: ["action": "submit"], headers: stranger).status
                    == .unauthorized)
            // Refused before its body is read: not 413.
            let huge = #"{"action": "submit", "reason": ""# + String(repeating: "x", count: 3 << 20) + #""}"#
            #expect(try await api.call(.post, "/v1/articles/\(id)/transitions", as: nil, raw: huge, headers: stranger).status == .unauthorized)
            #expect(try await api.call(.post, "/v1/articles/\(id)/transitions", as: nil, json: ["action": "submit"]).status == .unauthorized)
            #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            #expect(try await api.transition(id, "request_changes", as: "wendy", extra: ["reason": "mine"]).status == .forbidden)
        }
    }
}
