import Foundation
import GalleyCore
import HTTPTypes
import Testing

/// Comment threads over the API: anchors that must hold, replies one level deep, who may
/// resolve, quotes that go stale, and pages that stay bounded.
@Suite struct CommentTests {
    @Test func aThreadWithAQuoteAndAReplyIsListedWithItsAuthors() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let root = try await api.call(
                .post, "/v1/articles/\(id)/comments", as: "wendy", json: ["body": "Source for **123**?", "quote": "123 political prisoners"])
            #expect(root.status == .created, "\(root.text)")
            #expect(root.json["revision"] == 1)
            #expect(root.json["quote"] == "123 political prisoners")
            #expect(root.json["author"]?["name"] == "wendy")
            #expect(root.json["resolved"] == false)
            #expect(root.json["outdated"] == false)
            let rootID = try #require(root.json["id"]?.stringValue)
            let reply = try await api.call(
                .post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": "The ministry's statement.", "parent_id": .string(rootID)])
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.json["parent_id"]?.stringValue == rootID)

            let list = try await api.call(.get, "/v1/articles/\(id)/comments", as: "lou")
            #expect(list.status == .ok)
            guard case .array(let threads) = list.json["items"] else { throw HarnessError("no items: \(list.text)") }
            #expect(threads.count == 1)
            #expect(threads.first?["id"]?.stringValue == rootID)
            #expect(threads.first?["author"]?["display_name"] == "wendy")
            guard case .array(let replies) = threads.first?["replies"] else { throw HarnessError("no replies: \(list.text)") }
            #expect(replies.map { $0["author"]?["name"] } == ["fiona"])
            #expect(replies.first?["body"] == "The ministry's statement.")
        }
    }

    @Test func aQuoteThatLeavesTheCurrentRevisionIsOutdated() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let kept = try await api.call(
                .post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": "Which?", "quote": "The government said"])
            let gone = try await api.call(.post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": "How many?", "quote": "123 political"])
            #expect(kept.status == .created && gone.status == .created)
            let revised = try await api.call(
                .post, "/v1/articles/\(id)/revisions", as: "wendy",
                json: ["title": "Venezuela releases prisoners", "body": "Caracas — The government said 120 political prisoners were released."])
            #expect(revised.status == .created, "\(revised.text)")
            let list = try await api.call(.get, "/v1/articles/\(id)/comments", as: "wendy")
            guard case .array(let threads) = list.json["items"] else { throw HarnessError("no items: \(list.text)") }
            #expect(threads.map { $0["quote"] } == ["The government said", "123 political"])
            #expect(threads.map { $0["outdated"] } == [false, true])
            #expect(threads.map { $0["revision"] } == [1, 1])
            // A quote of the old revision is still accepted on that revision, and is outdated at once.
            let late = try await api.call(
                .post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": "Still?", "quote": "123 political", "revision": 1])
            #expect(late.status == .created)
            #expect(late.json["outdated"] == true)
            // On the current revision it does not occur.
            let refused = try await api.call(.post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": "Still?", "quote": "123 political"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("does not occur in the body of revision 2"))
        }
    }

    @Test func anchorsThatDoNotHoldAreRefusedSayingWhy() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let other = try await api.createArticle(title: "Another")
            let claim = try await api.call(.post, "/v1/articles/\(other)/claims", as: "fiona", json: ["text": "A claim", "revision": 1])
            let claimID = try #require(claim.json["id"]?.stringValue)
            let root = try await api.call(.post, "/v1/articles/\(id)/comments", as: "wendy", json: ["body": "Root"])
            let rootID = try #require(root.json["id"]?.stringValue)
            let reply = try await api.call(.post, "/v1/articles/\(id)/comments", as: "eddie", json: ["body": "Reply", "parent_id": .string(rootID)])
            let replyID = try #require(reply.json["id"]?.stringValue)
            let cases: [(JSONValue, String, String)] = [
                (["body": "x", "quote": "not in the text"], "quote", "does not occur"),
                (["body": "x", "claim_id": .string(claimID)], "claim_id", "not a claim of this article"),
                (["body": "x", "parent_id": .string(replyID)], "parent_id", "replies are one level deep"),
                (["body": "x", "parent_id": .string(rootID), "quote": "Caracas"], "quote", "a reply takes no quote"),
                (["body": "x", "parent_id": .string(UUID().uuidString)], "parent_id", "not a comment on this article"),
                (["body": "x", "revision": 7], "revision", "revisions 1 to 1"),
                (["body": "x", "revision": 2_147_483_648], "revision", "1 to 2147483647"),
                (["body": "x", "revision": -1], "revision", "1 to 2147483647"),
                (["body": "   "], "body", "1 to 10,000"),
                (["body": .string(String(repeating: "a", count: 10_001))], "body", "1 to 10,000"),
                (["body": "x", "quote": .string(String(repeating: "a", count: 2_001))], "quote", "1 to 2,000"),
                (["body": "x", "claim_id": "nope"], "claim_id", "UUID"),
            ]
            for (body, field, words) in cases {
                let refused = try await api.call(.post, "/v1/articles/\(id)/comments", as: "wendy", json: body)
                #expect(refused.status == .unprocessableContent, "\(body): \(refused.status)")
                #expect(refused.text.contains(field) && refused.text.contains(words), "\(body): \(refused.text)")
            }
            let service = try await api.call(.post, "/v1/articles/\(id)/comments", as: "drafter", json: ["body": "Bot says hi"])
            #expect(service.status == .forbidden)
            #expect(service.text.contains("service account"))
            let missing = try await api.call(.post, "/v1/articles/\(UUID().uuidString)/comments", as: "wendy", json: ["body": "x"])
            #expect(missing.status == .notFound)
            let list = try await api.call(.get, "/v1/articles/\(id)/comments", as: "wendy")
            guard case .array(let threads) = list.json["items"] else { throw HarnessError(list.text) }
            #expect(threads.count == 1)
        }
    }

    @Test func theAuthorOrAnEditorResolvesAndReopensAThread() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let root = try await api.call(.post, "/v1/articles/\(id)/comments", as: "wendy", json: ["body": "Check the count"])
            let rootID = try #require(root.json["id"]?.stringValue)
            let reply = try await api.call(.post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": "On it", "parent_id": .string(rootID)])
            let replyID = try #require(reply.json["id"]?.stringValue)
            let second = try await api.call(.post, "/v1/articles/\(id)/comments", as: "lou", json: ["body": "Libel risk?"])
            let secondID = try #require(second.json["id"]?.stringValue)

            let notAuthor = try await api.call(.patch, "/v1/articles/\(id)/comments/\(secondID)", as: "wendy", json: ["resolved": true])
            #expect(notAuthor.status == .forbidden)
            #expect(notAuthor.text.contains("only its author, an editor or an admin"))
            let replyAuthor = try await api.call(.patch, "/v1/articles/\(id)/comments/\(replyID)", as: "fiona", json: ["resolved": true])
            #expect(replyAuthor.status == .forbidden, "a reply's author does not resolve someone else's thread: \(replyAuthor.text)")
            // Resolving through a reply resolves its thread.
            let resolved = try await api.call(.patch, "/v1/articles/\(id)/comments/\(replyID)", as: "eddie", json: ["resolved": true])
            #expect(resolved.status == .ok, "\(resolved.text)")
            #expect(resolved.json["id"]?.stringValue == rootID)
            #expect(resolved.json["resolved"] == true)
            #expect(resolved.json["resolved_by"]?["name"] == "eddie")
            #expect(resolved.json["resolved_at"]?.stringValue != nil)

            func threads(_ query: String) async throws -> [String?] {
                let list = try await api.call(.get, "/v1/articles/\(id)/comments\(query)", as: "fiona")
                guard case .array(let items) = list.json["items"] else { throw HarnessError(list.text) }
                return items.map { $0["id"]?.stringValue }
            }
            #expect(try await threads("?resolved=true") == [rootID])
            #expect(try await threads("?resolved=false") == [secondID])
            #expect(try await threads("") == [rootID, secondID])
            #expect(try await api.call(.get, "/v1/articles/\(id)/comments?resolved=maybe", as: "fiona").status == .unprocessableContent)

            let again = try await api.call(.patch, "/v1/articles/\(id)/comments/\(rootID)", as: "ada", json: ["resolved": true])
            #expect(again.status == .ok)
            #expect(again.json["resolved_by"]?["name"] == "eddie")
            let reopened = try await api.call(.patch, "/v1/articles/\(id)/comments/\(rootID)", as: "wendy", json: ["resolved": false])
            #expect(reopened.status == .ok)
            #expect(reopened.json["resolved"] == false)
            #expect(reopened.json["resolved_by"] == .null)
            #expect(try await threads("?resolved=false") == [rootID, secondID])

            let history = try await api.call(.get, "/v1/articles/\(id)/history", as: "wendy")
            guard case .array(let events) = history.json["items"] else { throw HarnessError(history.text) }
            let comments = events.filter { $0["action"]?.stringValue?.hasPrefix("comment.") == true }
            #expect(
                comments.map { $0["action"]?.stringValue } == [
                    "comment.added", "comment.added", "comment.added", "comment.resolved", "comment.resolved",
                ])
            #expect(comments.map { $0["actor"]?.stringValue } == ["wendy", "fiona", "lou", "eddie", "wendy"])
            #expect(comments[3]["details"]?["resolved"] == true)
            #expect(comments[4]["details"]?["resolved"] == false)
            #expect(comments[1]["details"]?["thread_id"]?.stringValue == rootID)
        }
    }

    @Test func pagesOfThreadsFollowTheCursorAndStayBounded() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            var ids: [String] = []
            for number in 1...3 {
                let reply = try await api.call(.post, "/v1/articles/\(id)/comments", as: "wendy", json: ["body": .string("Thread \(number)")])
                ids.append(try #require(reply.json["id"]?.stringValue))
            }
            let first = try await api.call(.get, "/v1/articles/\(id)/comments?limit=2", as: "wendy")
            guard case .array(let page) = first.json["items"], let cursor = first.json["next_cursor"]?.stringValue else {
                throw HarnessError(first.text)
            }
            #expect(page.map { $0["id"]?.stringValue } == Array(ids.prefix(2)))
            let second = try await api.call(.get, "/v1/articles/\(id)/comments?limit=2&cursor=\(cursor)", as: "wendy")
            guard case .array(let rest) = second.json["items"] else { throw HarnessError(second.text) }
            #expect(rest.map { $0["id"]?.stringValue } == [ids[2]])
            #expect(second.json["next_cursor"] == .null || second.json["next_cursor"] == nil)
            #expect(try await api.call(.get, "/v1/articles/\(id)/comments?cursor=nope", as: "wendy").status == .unprocessableContent)

            // A thread holds at most 100 replies.
            for number in 1...CommentRules.maxReplies {
                let reply = try await api.call(
                    .post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": .string("Reply \(number)"), "parent_id": .string(ids[0])])
                #expect(reply.status == .created)
            }
            let full = try await api.call(
                .post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": "One more", "parent_id": .string(ids[0])])
            #expect(full.status == .unprocessableContent)
            #expect(full.text.contains("start a new thread"))
            // A page holds at most 200 comments beyond its first thread: 101 + 101 would not fit.
            for number in 1...CommentRules.maxReplies {
                _ = try await api.call(
                    .post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": .string("Reply \(number)"), "parent_id": .string(ids[1])])
            }
            let bounded = try await api.call(.get, "/v1/articles/\(id)/comments", as: "wendy")
            guard case .array(let threads) = bounded.json["items"] else { throw HarnessError(bounded.text) }
            #expect(threads.map { $0["id"]?.stringValue } == [ids[0]])
            guard case .array(let replies) = threads[0]["replies"] else { throw HarnessError(bounded.text) }
            #expect(replies.count == CommentRules.maxReplies)
            #expect(bounded.json["next_cursor"]?.stringValue != nil)
        }
    }

    /// A comment changes no article: an editor's If-Match stays good.
    @Test func aCommentLeavesTheArticlesVersionAlone() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let before = try await api.call(.get, "/v1/articles/\(id)", as: "eddie")
            #expect(try await api.call(.post, "/v1/articles/\(id)/comments", as: "lou", json: ["body": "Fine by legal"]).status == .created)
            let after = try await api.call(.get, "/v1/articles/\(id)", as: "eddie")
            #expect(before.headers[.eTag] != nil)
            #expect(after.headers[.eTag] == before.headers[.eTag])
        }
    }

    @Test func aRepeatedIdempotencyKeyAddsOneComment() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let headers: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "comment-1"]
            let first = try await api.call(.post, "/v1/articles/\(id)/comments", as: "wendy", json: ["body": "Once"], headers: headers)
            let second = try await api.call(.post, "/v1/articles/\(id)/comments", as: "wendy", json: ["body": "Once"], headers: headers)
            #expect(first.status == .created && second.status == .created)
            #expect(first.json["id"] == second.json["id"])
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let list = try await api.call(.get, "/v1/articles/\(id)/comments", as: "wendy")
            guard case .array(let threads) = list.json["items"] else { throw HarnessError(list.text) }
            #expect(threads.count == 1)
        }
    }
}
