import Foundation
import Galley
import GalleyCore
import GalleyHTTP
import HTTPTypes
import Testing

/// The public review record of a published article (docs/content.md, "The review record"):
/// what was checked on its live text, by whom as far as the newsroom says, and nothing of
/// a draft or of what stays inside the newsroom.
@Suite struct ReviewRecordTests {
    static let internalNote = "Called the ministry's press office, off the record"

    @Test func theRecordIsSchemaOrgAndNamesOnlyTheEditorByDefault() async throws {
        try await APIHarness.with { api in
            let (_, slug, _) = try await Self.publishChecked(api, requestID: "req-public-record-1")
            let reply = try await api.call(.get, "/content/v1/articles/\(slug).jsonld", as: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "application/ld+json")
            #expect(reply.headers[.eTag] != nil)
            let json = reply.json
            #expect(json["@context"] == "https://schema.org")
            #expect(json["@type"] == "NewsArticle")
            #expect(json["headline"] == "Ferries run late")
            #expect(json["description"] == "What it means")
            #expect(json["articleBody"]?.stringValue?.hasPrefix("Caracas") == true)
            #expect(json["datePublished"]?.stringValue != nil && json["dateModified"]?.stringValue != nil)
            #expect(json["url"] == .string("/content/v1/articles/\(slug)"))
            #expect(json["editor"]?["name"] == "eddie")
            #expect(json["editor"]?["jobTitle"] == ["editor"])
            guard case .array(let reviews) = json["review"], case .array(let claims) = json["claimReview"] else {
                Issue.record("no review or claimReview: \(reply.text)")
                return
            }
            #expect(reviews.count == 1)
            #expect(reviews.first?["@type"] == "Review")
            #expect(reviews.first?["name"] == "source_check")
            #expect(reviews.first?["author"]?["jobTitle"] == ["fact_checker"])
            #expect(reviews.first?["author"]?["name"] == nil)
            #expect(reviews.first?["reviewRating"]?["alternateName"] == "passed")
            #expect(reviews.first?["citation"] == ["https://example.org/ministry-statement"])
            #expect(reviews.first?["contentHash"] == json["contentHash"]?["value"])
            #expect(claims.first?["@type"] == "ClaimReview")
            #expect(claims.first?["claimReviewed"] == "123 prisoners were released")
            #expect(claims.first?["reviewRating"]?["alternateName"] == "verified")
            #expect(claims.first?["citation"] == ["https://example.org/list"])

            #expect(!reply.text.contains("fiona"))
            #expect(!reply.text.contains(Self.internalNote))
            #expect(!reply.text.contains("Source list of the ministry"))
            #expect(!reply.text.contains("req-public-record-1"))
            for token in api.tokens.values { #expect(!reply.text.contains(token)) }
        }
    }

    @Test func namesReviewersWhenTheNewsroomSaysSo() async throws {
        try await APIHarness.with(content: ContentSettings(publicReviewers: .names)) { api in
            let (_, slug, _) = try await Self.publishChecked(api, requestID: "req-public-record-2")
            let reply = try await api.call(.get, "/content/v1/articles/\(slug).jsonld", as: nil)
            guard case .array(let reviews) = reply.json["review"] else {
                Issue.record("no review: \(reply.text)")
                return
            }
            #expect(reviews.allSatisfy { $0["author"]?["name"] == "fiona" })
            let page = try await api.call(.get, "/articles/\(slug)/checked", as: nil)
            #expect(page.text.contains("fiona (fact checker)"))
        }
    }

    @Test func theSettingRefusesAnythingElseInWords() throws {
        #expect(throws: Never.self) { try GalleyConfiguration(environment: ["GALLEY_PUBLIC_REVIEWERS": "names"]) }
        #expect(try GalleyConfiguration(environment: [:]).publicReviewers == .roles)
        let refusal = #expect(throws: ConfigurationError.self) { try GalleyConfiguration(environment: ["GALLEY_PUBLIC_REVIEWERS": "everyone"]) }
        #expect(refusal?.description.contains("GALLEY_PUBLIC_REVIEWERS=everyone is not valid: expected names") == true)
    }

    @Test func aNewEditsChecksStayOutUntilItIsPublished() async throws {
        try await APIHarness.with { api in
            let (id, slug) = try await api.publishArticle(title: "Ferries run late")
            #expect(try await api.call(.post, "/v1/articles/\(id)/revisions", as: "wendy", json: APIHarness.articleBody).status == .created)
            try api.expectSuccess(
                await api.call(.post, "/v1/articles/\(id)/claims", as: "fiona", json: ["text": "A claim of the unpublished edit", "revision": 2]))
            try api.expectSuccess(
                await api.call(
                    .post, "/v1/articles/\(id)/checkpoints", as: "fiona",
                    json: [
                        "checkpoint": "source_check", "verdict": "failed", "revision": 2, "note": "no",
                        "evidence": [["url": "https://example.org/unpublished-evidence"]],
                    ]))
            let record = try await api.call(.get, "/content/v1/articles/\(slug).jsonld", as: nil)
            #expect(record.json["version"] == 1)
            guard case .array(let reviews) = record.json["review"] else {
                Issue.record("no review: \(record.text)")
                return
            }
            #expect(reviews.count == 1)
            #expect(reviews.first?["reviewRating"]?["alternateName"] == "passed")
            #expect(!record.text.contains("failed"))
            let page = try await api.call(.get, "/articles/\(slug)/checked", as: nil).text
            for unpublished in ["unpublished edit", "unpublished-evidence", "<td>failed</td>"] {
                #expect(!record.text.contains(unpublished) && !page.contains(unpublished), "\(unpublished) shows")
            }

            let draftID = try await api.createArticle(title: "A draft nobody may read")
            let draft = try await api.call(.get, "/v1/articles/\(draftID)")
            let draftSlug = try #require(draft.json["slug"]?.stringValue)
            #expect(try await api.call(.get, "/content/v1/articles/\(draftSlug).jsonld", as: nil).status == .notFound)
            #expect(try await api.call(.get, "/articles/\(draftSlug)/checked", as: nil).status == .notFound)
        }
    }

    /// Verdicts are recorded before publication; what changes on the live text afterwards
    /// is its claims (a claim disputed, new evidence), and readers see that at once.
    @Test func aClaimCheckedOnTheLiveTextShowsOnTheNextRequest() async throws {
        try await APIHarness.with { api in
            let (id, slug, claimID) = try await Self.publishChecked(api, requestID: "req-public-record-3")
            let before = try await api.call(.get, "/content/v1/articles/\(slug).jsonld", as: nil)
            #expect(!(try await api.call(.get, "/articles/\(slug)/checked", as: nil).text.contains("disputed")))
            try api.expectSuccess(
                await api.call(
                    .patch, "/v1/articles/\(id)/claims/\(claimID)", as: "fiona",
                    json: ["status": "disputed", "evidence": [["url": "https://example.org/rebuttal"]]]))
            let after = try await api.call(
                .get, "/content/v1/articles/\(slug).jsonld", as: nil, headers: [.ifNoneMatch: before.headers[.eTag] ?? ""])
            #expect(after.status == .ok)
            #expect(after.json["claimReview"] == .array([after.json["claimReview"]?.arrayFirst ?? .null]))
            #expect(after.json["claimReview"]?.arrayFirst?["reviewRating"]?["alternateName"] == "disputed")
            #expect(after.json["claimReview"]?.arrayFirst?["citation"] == ["https://example.org/rebuttal"])
            let page = try await api.call(.get, "/articles/\(slug)/checked", as: nil).text
            #expect(page.contains("<strong>disputed</strong>"))
            #expect(page.contains("href=\"https://example.org/rebuttal\""))
        }
    }

    @Test func theCheckedPageListsTheCheckpointsAndEscapesWhatPeopleWrote() async throws {
        try await APIHarness.with { api in
            let (id, slug, _) = try await Self.publishChecked(api, title: "Ferries <b>run</b> late", requestID: "req-public-record-5")
            try api.expectSuccess(
                await api.call(.post, "/v1/articles/\(id)/claims", as: "fiona", json: ["text": "<script>alert(1)</script> said so", "revision": 1]))
            let page = try await api.call(.get, "/articles/\(slug)/checked", as: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            let html = page.text
            #expect(html.components(separatedBy: "<h1").count == 2)
            #expect(html.contains("<html lang=\"en\">"))
            #expect(html.contains("<th scope=\"row\">source check</th>"))
            #expect(html.contains("<td>passed</td>"))
            #expect(html.contains("href=\"https://example.org/ministry-statement\""))
            #expect(html.contains("“123 prisoners were released”: <strong>verified</strong>"))
            #expect(!html.contains(Self.internalNote) && !html.contains("Source list of the ministry"))
            #expect(html.contains("a member of the newsroom (fact checker)"))
            #expect(html.contains("Approved for publication by eddie (editor)"))
            #expect(!html.contains("fiona"))
            #expect(!html.contains("<script>"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; said so"))
            #expect(html.contains("Ferries &lt;b&gt;run&lt;/b&gt; late"))
            #expect(html.contains("href=\"/content/v1/articles/\(slug).jsonld\""))
            #expect(html.contains("No audit seal covers"))

            _ = try await api.services.audit.seal()
            let sealed = try await api.call(.get, "/articles/\(slug)/checked", as: nil).text
            let record = try await api.call(.get, "/content/v1/articles/\(slug).jsonld", as: nil)
            guard case .number(let number) = record.json["auditSeal"]?["identifier"] else {
                Issue.record("no seal named: \(record.text)")
                return
            }
            let sealID = Int(number)
            #expect(record.json["auditSeal"]?["url"] == .string("/content/v1/seals/\(sealID)"))
            #expect(sealed.contains("href=\"/content/v1/seals/\(sealID)\""))
            #expect(try await api.call(.get, "/content/v1/seals/\(sealID)", as: nil).status == .ok)
        }
    }

    @Test func aRetractedArticleKeepsOnlyItsTitleAndNotice() async throws {
        try await APIHarness.with { api in
            let (id, slug, _) = try await Self.publishChecked(api, requestID: "req-public-record-4")
            _ = try await api.services.audit.seal()
            #expect(try await api.call(.get, "/content/v1/articles/\(slug).jsonld", as: nil).json["review"] != nil)
            try api.expectSuccess(
                await api.transition(id, "retract", as: "eddie", extra: ["reason": "fabricated", "notice": "This article was retracted."]))
            let record = try await api.call(.get, "/content/v1/articles/\(slug).jsonld", as: nil)
            #expect(record.status == .ok)
            #expect(record.json["headline"] == "Ferries run late")
            #expect(record.json["creativeWorkStatus"] == "retracted")
            #expect(record.json["correction"] == .array([record.json["correction"]?.arrayFirst ?? .null]))
            #expect(record.json["correction"]?.arrayFirst?["text"] == "This article was retracted.")
            #expect(Set(record.json.keys) == ["@context", "@type", "identifier", "url", "subjectOf", "headline", "creativeWorkStatus", "correction"])
            let page = try await api.call(.get, "/articles/\(slug)/checked", as: nil)
            #expect(page.status == .ok)
            #expect(page.text.contains("This article was retracted."))
            for gone in ["Caracas", "source check", "123 prisoners", "eddie", "seal"] {
                #expect(!record.text.contains(gone) && !page.text.contains(gone), "\(gone) still shows")
            }
        }
    }

    @Test func longListsAreCutAndSaySo() async throws {
        try await APIHarness.with { api in
            let (id, slug, _) = try await Self.publishChecked(api, requestID: "req-public-record-6")
            // 101 more claims on the live revision, written directly: the API would take a while.
            try await api.pool.query(
                """
                INSERT INTO claims (id, article_id, revision, text, created_by, updated_by, created_at, updated_at)
                SELECT gen_random_uuid(), \(UUID(uuidString: id)!), 1, 'Claim ' || n, c.created_by, c.created_by, now(), now()
                FROM generate_series(1, 101) n, (SELECT created_by FROM claims LIMIT 1) c
                """)
            let record = try await api.call(.get, "/content/v1/articles/\(slug).jsonld", as: nil)
            guard case .array(let claims) = record.json["claimReview"] else {
                Issue.record("no claimReview: \(record.text)")
                return
            }
            #expect(claims.count == 100)
            #expect(record.json["notListed"]?["claimReview"] == 2)
            #expect(record.json["notListed"]?["review"] == nil)
            let page = try await api.call(.get, "/articles/\(slug)/checked", as: nil).text
            // The first claim, verified, and 99 of the 101 added.
            #expect(page.components(separatedBy: "<strong>unverified</strong>").count - 1 == 99)
            #expect(page.contains("And 2 more, not listed here."))
        }
    }

    /// An article taken to publication with a verified claim, and its source check passed
    /// with a note for colleagues and a link to the evidence: its id, slug and claim's id.
    static func publishChecked(_ api: APIHarness, title: String = "Ferries run late", requestID: String) async throws -> (
        id: String, slug: String, claimID: String
    ) {
        let id = try await api.createArticle(title: title)
        let claim = try await api.call(.post, "/v1/articles/\(id)/claims", as: "fiona", json: ["text": "123 prisoners were released", "revision": 1])
        try api.expectSuccess(claim)
        let claimID = try #require(claim.json["id"]?.stringValue)
        try api.expectSuccess(
            await api.call(
                .patch, "/v1/articles/\(id)/claims/\(claimID)", as: "fiona",
                json: ["status": "verified", "evidence": [["url": "https://example.org/list", "note": "Source list of the ministry"]]]))
        try api.expectSuccess(await api.transition(id, "submit", as: "wendy"))
        try api.expectSuccess(
            await api.call(
                .post, "/v1/articles/\(id)/checkpoints", as: "fiona",
                json: [
                    "checkpoint": "source_check", "verdict": "passed", "revision": 1, "note": .string(internalNote),
                    "evidence": [["url": "https://example.org/ministry-statement"]],
                ], headers: [HTTPField.Name("X-Request-Id")!: requestID]))
        try api.expectSuccess(await api.transition(id, "approve", as: "eddie"))
        let published = try await api.transition(id, "publish", as: "eddie")
        try api.expectSuccess(published)
        return (id, try #require(published.json["slug"]?.stringValue), claimID)
    }
}

extension JSONValue {
    fileprivate var arrayFirst: JSONValue? {
        guard case .array(let items) = self else { return nil }
        return items.first
    }
}
