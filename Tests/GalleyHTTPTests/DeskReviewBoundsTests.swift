import Foundation
import Galley
import GalleyCore
import Testing

/// The review page's bounds and what its refused forms keep.
extension DeskReviewTests {
    /// An article with one claim, and its fact-checker signed in on its review page.
    func claimUnderReview(_ api: APIHarness) async throws -> (article: String, claim: String, checker: DeskBrowser) {
        let id = try await api.createArticle(section: "politics")
        let added = try await api.call(.post, "/v1/articles/\(id)/claims", as: "fiona", json: ["text": "A claim", "revision": 1])
        let claim = try #require(added.json["id"]?.stringValue)
        let checker = try await DeskBrowser.signedIn("fiona", on: api)
        try await checker.get("/desk/articles/\(id)")
        return (id, claim, checker)
    }

    /// Before: a NUL in the note reached jsonb, which refused it: a 500, the form lost.
    @Test func aNULInAClaimsEvidenceNoteIsRefusedByFieldWithTheFormKept() async throws {
        try await APIHarness.with { api in
            let (id, claim, checker) = try await claimUnderReview(api)
            let refused = try await checker.post(
                "/desk/articles/\(id)/claims/\(claim)",
                [
                    "form": "claim-\(claim)", "status": "verified", "note": "a\u{0}b", "evidence": "https://example.org/kept",
                    "version": try version(checker),
                ])
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.text.contains("evidence[0].note must not contain the NUL character"), "\(refused.text)")
            #expect(refused.text.contains(#"name="evidence" rows="2">https://example.org/kept</textarea>"#))
        }
    }

    @Test func theDeskStoresTheFormsNoteOnceWithTheFirstLink() async throws {
        try await APIHarness.with { api in
            let (id, claim, checker) = try await claimUnderReview(api)
            let verified = try await checker.post(
                "/desk/articles/\(id)/claims/\(claim)",
                [
                    "status": "verified", "note": "the gazette", "evidence": "https://example.org/1\nhttps://example.org/2\nhttps://example.org/3",
                    "version": try version(checker),
                ])
            #expect(verified.status == .seeOther, "\(verified.text)")
            let claims = try await api.call(.get, "/v1/articles/\(id)/claims", as: "fiona")
            guard case .array(let items) = claims.json["items"] ?? claims.json["claims"] ?? .null,
                case .array(let evidence) = items.first?["evidence"] ?? .null
            else {
                Issue.record("no claims: \(claims.text)")
                return
            }
            #expect(evidence.map { $0["note"]?.stringValue } == ["the gazette", nil, nil], "\(claims.text)")
        }
    }

    /// Before: the API stored any note, of any length, on any number of links.
    @Test func theAPIRefusesEvidenceNotesWithNULOrTooLongAndTooManyLinks() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle(section: "politics")
            let added = try await api.call(.post, "/v1/articles/\(id)/claims", as: "fiona", json: ["text": "A claim", "revision": 1])
            let claim = try #require(added.json["id"]?.stringValue)
            func patch(_ evidence: [JSONValue]) async throws -> APIHarness.Reply {
                try await api.call(
                    .patch, "/v1/articles/\(id)/claims/\(claim)", as: "fiona", json: ["status": "verified", "evidence": .array(evidence)])
            }
            let nul = try await patch([["url": "https://example.org/a", "note": "a\u{0}b"]])
            // The API refuses a NUL in any JSON string before the domain sees it.
            #expect(nul.status == .unprocessableContent, "\(nul.text)")
            let long = try await patch([["url": "https://example.org/a", "note": .string(String(repeating: "x", count: 2_001))]])
            #expect(long.status == .unprocessableContent && long.text.contains("keep it to 2000"), "\(long.text)")
            let many = try await patch((0..<21).map { ["url": .string("https://example.org/\($0)")] })
            #expect(many.status == .unprocessableContent && many.text.contains("give at most 20"), "\(many.text)")
            let verdict = try await api.call(
                .post, "/v1/articles/\(id)/checkpoints", as: "fiona",
                json: [
                    "checkpoint": "fact_check", "verdict": "passed", "revision": 1,
                    "evidence": [["url": "https://example.org/a", "note": "a\u{0}b"]],
                ])
            #expect(verdict.status == .unprocessableContent, "\(verdict.text)")
        }
    }

    /// Before: every comment, claim and evidence link was shown whole: 20 comments of 5,000
    /// characters alone passed 100 KB.
    @Test func anArticleWithManyLongCommentsAndClaimsRendersWithin100KB() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle(section: "politics")
            let long = String(repeating: "Lorem ipsum dolor sit amet. ", count: 350)
            var root = ""
            for thread in 0..<25 {
                let posted = try await api.call(.post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": .string("\(thread) " + long)])
                #expect(posted.status == .created, "\(posted.text)")
                if thread == 0 { root = try #require(posted.json["id"]?.stringValue) }
            }
            for _ in 0..<12 {
                _ = try await api.call(.post, "/v1/articles/\(id)/comments", as: "wendy", json: ["body": .string(long), "parent_id": .string(root)])
            }
            let claimText = String(long.prefix(1_900))
            for number in 0..<40 {
                let added = try await api.call(
                    .post, "/v1/articles/\(id)/claims", as: "fiona", json: ["text": .string("\(number) " + claimText), "revision": 1])
                let claim = try #require(added.json["id"]?.stringValue)
                let evidence: [JSONValue] = (0..<20).map {
                    ["url": .string("https://example.org/\($0)"), "note": .string(String(long.prefix(1_500)))]
                }
                let judged = try await api.call(
                    .patch, "/v1/articles/\(id)/claims/\(claim)", as: "fiona", json: ["status": "disputed", "evidence": .array(evidence)])
                #expect(judged.status == .ok, "\(judged.text)")
            }
            let editor = try await DeskBrowser.signedIn("eddie", on: api)
            let page = try await editor.get("/desk/articles/\(id)")
            #expect(page.status == .ok)
            #expect(page.body.count <= 100_000, "\(page.body.count) bytes")
            #expect(page.text.contains("… and 17 more evidence links."))
            #expect(page.text.contains("… and 7 more replies."))
            #expect(page.text.contains("… and more claims than one page shows."))
            #expect(page.text.contains("GET /v1/articles/\(id)/comments has them whole."))
        }
    }

    /// Before: a refused form showed the diff against the last verified revision again.
    @Test func aRefusedFormKeepsTheRevisionTheReviewerChoseToCompareWith() async throws {
        try await APIHarness.with { api in
            let id = try await articleEditedAfterASourceCheck(api)
            let editor = try await DeskBrowser.signedIn("eddie", on: api)
            let chosen = try await editor.get("/desk/articles/\(id)?against=2")
            #expect(chosen.text.contains(#"<input type="hidden" name="against" value="2">"#))
            let refused = try await editor.post(
                "/desk/articles/\(id)/transitions",
                ["form": "transition-approve", "action": "approve", "version": try version(editor), "against": "2"])
            #expect(refused.status.code >= 400, "\(refused.text)")
            #expect(refused.text.contains("compared with revision 2 (the revision you chose)"), "\(refused.text)")
        }
    }

    /// docs/workflow.md: a reply to a resolved thread is allowed; the page offers it.
    @Test func aResolvedThreadStillOffersReply() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let posted = try await api.call(.post, "/v1/articles/\(id)/comments", as: "fiona", json: ["body": "Source?"])
            let root = try #require(posted.json["id"]?.stringValue)
            let resolved = try await api.call(.patch, "/v1/articles/\(id)/comments/\(root)", as: "fiona", json: ["resolved": true])
            #expect(resolved.status == .ok, "\(resolved.text)")
            let writer = try await DeskBrowser.signedIn("wendy", on: api)
            let page = try await writer.get("/desk/articles/\(id)")
            #expect(page.text.contains("Resolved by"))
            #expect(page.text.contains(#"<input type="hidden" name="parent" value="\#(root)">"#), "\(page.text)")
        }
    }
}
