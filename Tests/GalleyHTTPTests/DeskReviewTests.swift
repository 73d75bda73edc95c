import Foundation
import Galley
import GalleyCore
import GalleyHTTP
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// The review page, `/desk/articles/{id}`: what it shows, to whom it offers which form, and how
/// it answers a form the domain refuses.
@Suite struct DeskReviewTests {
    /// An AI draft in `section`, generated as the API's drafter would; returns its id.
    func aiDraft(_ api: APIHarness, section: String = "politics", body: String = "Caracas — 123 political prisoners were released.")
        async throws -> String
    {
        let registered = try await api.call(
            .post, "/v1/generations", as: "drafter",
            json: [
                "brief": ["section": .string(section)], "model": "gpt-x", "model_version": "2026-10", "prompt_version": "analysis-v3",
                "parameters": ["temperature": 0],
            ])
        let generation = try #require(registered.json["id"]?.stringValue)
        _ = try await api.call(.patch, "/v1/generations/\(generation)", as: "drafter", json: ["status": "running"])
        let done = try await api.call(
            .patch, "/v1/generations/\(generation)", as: "drafter",
            json: [
                "status": "succeeded", "usage": ["input_tokens": 1200, "output_tokens": 800],
                "output": [
                    "title": "Venezuela frees 123 prisoners", "dek": "An analysis", "body": .string(body),
                    "insight": "Releases often precede talks.", "disclosure": "AI-generated; may contain errors.",
                    "sources": [["url": "https://example.org/a", "outlet": "Wire", "title": "Ministry statement"]],
                ],
            ])
        return try #require(done.json["article_id"]?.stringValue, "\(done.text)")
    }

    func pass(_ api: APIHarness, _ id: String, _ checkpoint: String, as actor: String, revision: Int = 1) async throws {
        let reply = try await api.call(
            .post, "/v1/articles/\(id)/checkpoints", as: actor,
            json: ["checkpoint": .string(checkpoint), "verdict": "passed", "revision": .number(Double(revision))])
        #expect(reply.status == .created, "\(reply.text)")
    }

    /// An article whose revision 1 passed source_check, then edited by its writer: revision 2
    /// says 140 prisoners were freed where revision 1 said 123 were released.
    func articleEditedAfterASourceCheck(_ api: APIHarness) async throws -> String {
        let id = try await api.createArticle()
        try await pass(api, id, "source_check", as: "fiona")
        let edited = try await api.call(
            .post, "/v1/articles/\(id)/revisions", as: "wendy",
            json: [
                "title": "Venezuela releases political prisoners", "dek": "What it means",
                "body": "Caracas — The government said 140 political prisoners were freed.",
                "sources": [["url": "https://example.org/news/1", "outlet": "Example Wire", "title": "Prisoners freed"]],
            ])
        #expect(edited.status == .created, "\(edited.text)")
        return id
    }

    /// The version the last page carried in its forms.
    func version(_ browser: DeskBrowser) throws -> String {
        let page = browser.lastPage
        let range = try #require(page.range(of: #"name="version" value="[0-9]+""#, options: .regularExpression))
        return String(page[range].split(separator: "\"")[3])
    }

    /// A claim's or a checkpoint's block on the page: from `start` to the end of its verdict
    /// form, or to the end of the page when it has none.
    func block(_ page: String, from start: String) -> String {
        guard let range = page.range(of: start) else { return "" }
        return page[range.upperBound...].components(separatedBy: "</form>")[0]
    }

    func claimIDs(_ page: String) -> [String] {
        let pattern = try! Regex(#"/claims/([0-9a-f-]{36})""#)
        return page.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) }
    }

    @Test func thePageShowsTheArticleAndOffersEachFormOnlyToThoseAllowed() async throws {
        try await APIHarness.with { api in
            let id = try await aiDraft(api)
            let checker = try await DeskBrowser.signedIn("fiona", on: api)
            let page = try await checker.get("/desk/articles/\(id)")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<h1>Venezuela frees 123 prisoners</h1>"))
            #expect(html.contains("123 political prisoners were released."))
            #expect(html.contains("Releases often precede talks."))
            #expect(html.contains("AI-generated; may contain errors."))
            #expect(html.contains(#"<a href="https://example.org/a" rel="noopener noreferrer">Ministry statement</a>"#))
            #expect(html.contains("gpt-x") && html.contains("analysis-v3") && html.contains("1200 input tokens"))
            #expect(html.contains("<h3>fact_check</h3>") && html.contains("<h3>legal_review</h3>"))
            #expect(html.contains(">Pass</button>") && html.contains(">Add claim</button>"))
            #expect(html.contains(#"href="/desk/articles/\#(id)/history""#))
            // The fact-checker records no legal review.
            let legal = try #require(html.range(of: #"<li id="checkpoint-legal_review">"#))
            #expect(!String(html[legal.upperBound...]).components(separatedBy: "</li>")[0].contains("<form"))

            let writer = try await DeskBrowser.signedIn("wendy", on: api)
            let seen = try await writer.get("/desk/articles/\(id)")
            #expect(seen.status == .ok)
            #expect(seen.text.contains("<h1>Venezuela frees 123 prisoners</h1>"))
            #expect(!seen.text.contains(">Pass</button>"))
            #expect(!seen.text.contains(">Add claim</button>"))
            #expect(!seen.text.contains(">Approve</button>"))
            #expect(seen.text.contains(">Submit</button>"))
        }
    }

    @Test func aFactCheckerAddsAndVerifiesAClaimAndPassesFactCheckThroughTheForms() async throws {
        try await APIHarness.with { api in
            let id = try await aiDraft(api)
            let checker = try await DeskBrowser.signedIn("fiona", on: api)
            try await checker.get("/desk/articles/\(id)")
            let added = try await checker.post(
                "/desk/articles/\(id)/claims",
                ["form": "new-claim", "text": "123 prisoners were released", "version": try version(checker), "revision": "1"])
            #expect(added.status == .seeOther, "\(added.text)")
            #expect(added.headers[.location] == "/desk/articles/\(id)?done=claim-added")
            let withClaim = try await checker.get(try #require(added.headers[.location]))
            #expect(withClaim.text.contains("Claim added."))
            #expect(withClaim.text.contains("123 prisoners were released"))
            let claim = try #require(claimIDs(withClaim.text).first)

            let noLink = try await checker.post(
                "/desk/articles/\(id)/claims/\(claim)",
                ["form": "claim-\(claim)", "status": "verified", "note": "seen in the gazette", "evidence": "", "version": try version(checker)])
            #expect(noLink.status == .unprocessableContent)
            #expect(noLink.text.contains("note is kept with an evidence link"))
            #expect(noLink.text.contains(#"name="note" maxlength="2000" value="seen in the gazette""#))

            let verified = try await checker.post(
                "/desk/articles/\(id)/claims/\(claim)",
                ["status": "verified", "note": "ministry statement", "evidence": "https://example.org/ministry", "version": try version(checker)])
            #expect(verified.status == .seeOther, "\(verified.text)")
            let after = try await checker.get("/desk/articles/\(id)")
            #expect(after.text.contains(#"status-verified">verified</span> 123 prisoners were released"#))
            #expect(after.text.contains(#"<a href="https://example.org/ministry" rel="noopener noreferrer">"#))
            // A verified claim is offered the verdicts that would change it, not "Verify claim" again.
            let verifiedClaim = block(after.text, from: #"<li id="claim-\#(claim)">"#)
            #expect(verifiedClaim.contains(">Dispute</button>") && verifiedClaim.contains(">Mark false</button>"))
            #expect(!verifiedClaim.contains(">Verify claim</button>"))

            let passed = try await checker.post(
                "/desk/articles/\(id)/checkpoints",
                ["checkpoint": "fact_check", "verdict": "passed", "note": "", "evidence": "", "version": try version(checker), "revision": "1"])
            #expect(passed.status == .seeOther, "\(passed.text)")
            let checked = try await checker.get("/desk/articles/\(id)")
            #expect(checked.text.contains(#"status-passed">passed</span> by fiona"#))
            let factCheck = block(checked.text, from: #"<li id="checkpoint-fact_check">"#)
            #expect(factCheck.contains(">Fail</button>") && !factCheck.contains(">Pass</button>"))
            #expect(block(checked.text, from: #"<li id="checkpoint-source_check">"#).contains(">Pass</button>"))
        }
    }

    @Test func approvingWithLegalReviewMissingIsRefusedOnTheSamePageNamingIt() async throws {
        try await APIHarness.with { api in
            let id = try await aiDraft(api)
            #expect(try await api.transition(id, "submit", as: "drafter").status == .ok)
            try await pass(api, id, "source_check", as: "fiona")
            try await pass(api, id, "fact_check", as: "fiona")
            let editor = try await DeskBrowser.signedIn("eddie", on: api)
            let page = try await editor.get("/desk/articles/\(id)")
            #expect(page.text.contains(">Approve</button>"))
            let refused = try await editor.post(
                "/desk/articles/\(id)/transitions", ["form": "transition-approve", "action": "approve", "version": try version(editor)])
            #expect(refused.status == .conflict)
            #expect(refused.text.contains(#"role="alert""#))
            #expect(refused.text.contains("Cannot approve an article that is in_review"))
            #expect(refused.text.contains("<li>legal_review: "))
            #expect(refused.text.contains("<h1>Venezuela frees 123 prisoners</h1>"))
            #expect(refused.text.contains(">Approve</button>"))
        }
    }

    @Test func aStalePageIsRefusedInWordsWithTheTypedNoteKept() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle(section: "politics")
            let editor = try await DeskBrowser.signedIn("eddie", on: api)
            let page = try await editor.get("/desk/articles/\(id)")
            #expect(page.text.contains(">Waive</button>"))
            let stale = try version(editor)
            let claim = try await api.call(.post, "/v1/articles/\(id)/claims", as: "fiona", json: ["text": "A claim", "revision": 1])
            #expect(claim.status == .created)
            let refused = try await editor.post(
                "/desk/articles/\(id)/checkpoints",
                [
                    "form": "checkpoint-legal_review", "checkpoint": "legal_review", "verdict": "waived", "note": "Cleared by counsel <b>",
                    "evidence": "", "version": stale, "revision": "1",
                ])
            #expect(refused.status == .preconditionFailed)
            #expect(refused.text.contains("The article changed since you read it"))
            #expect(refused.text.contains(#"name="note" rows="2" maxlength="10000">Cleared by counsel &lt;b&gt;</textarea>"#))
        }
    }

    @Test func afterAnEditTheDiffShowsInsertedAndRemovedWords() async throws {
        try await APIHarness.with { api in
            let id = try await articleEditedAfterASourceCheck(api)
            let editor = try await DeskBrowser.signedIn("eddie", on: api)
            let page = try await editor.get("/desk/articles/\(id)")
            #expect(page.text.contains("compared with revision 1 (the last revision anyone verified)"))
            #expect(page.text.contains("<del>123 </del>"))
            #expect(page.text.contains("<ins>140 </ins>"))
            #expect(page.text.contains("<del>released.</del>") && page.text.contains("<ins>freed.</ins>"))
            let chosen = try await editor.get("/desk/articles/\(id)?against=2")
            #expect(chosen.text.contains("compared with revision 2 (the revision you chose)"))
            let diff = try #require(chosen.text.components(separatedBy: #"<div class="diff">"#).last?.components(separatedBy: "</div>").first)
            #expect(diff.contains("140 political prisoners") && !diff.contains("<ins>") && !diff.contains("<del>"))
            let missing = try await editor.get("/desk/articles/\(id)?against=9")
            #expect(missing.status == .ok)
            #expect(missing.text.contains("No revision 9 of article"))
        }
    }

    @Test func everyControlIsLabelledAndTheHeadingsAreInOrder() async throws {
        try await APIHarness.with { api in
            let id = try await aiDraft(api)
            #expect(try await api.call(.post, "/v1/articles/\(id)/claims", as: "fiona", json: ["text": "A claim", "revision": 1]).status == .created)
            #expect(try await api.call(.post, "/v1/articles/\(id)/comments", as: "wendy", json: ["body": "Is this right?"]).status == .created)
            let editor = try await DeskBrowser.signedIn("eddie", on: api)
            let html = try await editor.get("/desk/articles/\(id)").text
            let controls = html.matches(of: try Regex(#"<(input|textarea|select)\b[^>]*>"#)).map { String(html[$0.range]) }
            let visible = controls.filter { !$0.contains(#"type="hidden""#) }
            #expect(visible.count >= 10)
            for control in visible {
                let id = try #require(control.firstMatch(of: try Regex(#"id="([^"]+)""#))?.output[1].substring, "no id: \(control)")
                #expect(html.contains(#"<label for="\#(id)">"#), "no label for \(control)")
            }
            let ids = html.matches(of: try Regex(#" id="([^"]+)""#)).compactMap { $0.output[1].substring.map(String.init) }
            #expect(Set(ids).count == ids.count, "repeated ids")
            #expect(!html.contains(#"type="submit" value="#) && html.contains(">Reply</button>") && html.contains(">Assign</button>"))
            let levels = html.matches(of: try Regex(#"<h([1-6])[ >]"#)).compactMap { $0.output[1].substring.flatMap { Int($0) } }
            #expect(levels.first == 1 && levels.filter { $0 == 1 }.count == 1)
            #expect(zip(levels, levels.dropFirst()).allSatisfy { $1 <= $0 + 1 }, "\(levels)")
        }
    }

    @Test func revisionsTooDifferentToDiffShowTheDomainsWordsOnThePage() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let body = (1...6_000).map { "new\($0)" }.joined(separator: " ")
            let edited = try await api.call(
                .post, "/v1/articles/\(id)/revisions", as: "wendy", json: ["title": "Venezuela releases political prisoners", "body": .string(body)])
            #expect(edited.status == .created, "\(edited.text)")
            let editor = try await DeskBrowser.signedIn("eddie", on: api)
            let page = try await editor.get("/desk/articles/\(id)")
            #expect(page.status == .ok)
            #expect(page.text.contains("These revisions are too large to diff"))
            #expect(page.text.contains("new5999 new6000"))
        }
    }

    @Test func aFormWithAForgedTokenIsRefused() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let editor = try await DeskBrowser.signedIn("eddie", on: api)
            try await editor.get("/desk/articles/\(id)")
            let forged = try await editor.post(
                "/desk/articles/\(id)/transitions", ["action": "spike", "reason": "x", "version": try version(editor)], csrf: "forged")
            #expect(forged.status == .forbidden)
            let article = try await api.call(.get, "/v1/articles/\(id)")
            #expect(article.json["state"] == "draft")
        }
    }

    @Test func htmlInTheArticleAndInCommentsIsShownAsText() async throws {
        try await APIHarness.with { api in
            let created = try await api.call(
                .post, "/v1/articles", as: "wendy",
                json: [
                    "title": "<script>alert('title')</script>", "dek": "<img src=x onerror=alert(1)>", "section": "world",
                    "body": "Before <script>alert('body')</script> after.",
                    "sources": [["url": "https://example.org/x", "outlet": "<b>Wire</b>", "title": "<script>t</script>"]],
                ])
            let id = try #require(created.json["id"]?.stringValue, "\(created.text)")
            let writer = try await DeskBrowser.signedIn("wendy", on: api)
            try await writer.get("/desk/articles/\(id)")
            let commented = try await writer.post(
                "/desk/articles/\(id)/comments", ["form": "new-thread", "body": "<script>alert('comment')</script>", "quote": "Before"])
            #expect(commented.status == .seeOther, "\(commented.text)")
            let page = try await writer.get("/desk/articles/\(id)")
            #expect(!page.text.contains("<script"))
            #expect(!page.text.contains("<img"))
            #expect(!page.text.contains("<b>"))
            #expect(page.text.contains("&lt;script&gt;alert(&#39;comment&#39;)&lt;/script&gt;"))
            #expect(page.text.contains("Before &lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt; after."))
        }
    }

    @Test func theDemoNewsroomsAIDraftRendersWithinItsWeight() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 1) { ownerPool, connectionString in
            try await TestDatabase.withAppPool(connectionString, size: 4) { pool in
                let services = GalleyServices(pool: pool)
                let demo = try await services.demo.load(by: Caller(principal: .operator(osUser: "test")))
                let draft = try #require(demo.articles.first { $0.article.origin == .ai })
                let app = Application(router: buildRouter(services: services, pool: pool, metrics: HTTPMetrics()), logger: TestRunLog.logger())
                try await app.test(.router) { client in
                    let api = APIHarness(services: services, pool: pool, ownerPool: ownerPool, client: client, tokens: [:])
                    let editor = try await DeskBrowser.signedIn("eli", on: api)
                    let page = try await editor.get("/desk/articles/\(draft.article.id.lowercasedString)")
                    #expect(page.status == .ok)
                    #expect(page.text.contains("<h1>\(draft.current.content.title)</h1>"))
                    #expect(page.text.contains("demo-drafter"))
                    #expect(page.text.contains("The reform passed by 61 votes to 40."))
                    #expect(page.text.contains("Public registers of permits"))
                    #expect(page.body.count <= 100_000)
                }
            }
        }
    }
}
