import Foundation
import GalleyCore
import GalleyHTTP
import HTTPTypes
import TestSupport
import Testing

/// The Atom feed and the Google News sitemap show readers' live text only, escaped, with
/// absolute links, and are cached like every answer of the published side.
@Suite struct ContentFeedTests {
    static let site = ContentSettings(
        publicURL: URL(string: "https://galley.example.org"), publicationName: "The Example Times",
        articleURL: "https://news.example.org/articles/{slug}")
    static let feedTitles = "feed/entry/title"
    static let newsTitles = "urlset/url/news:news/news:title"

    @Test func onlyLiveArticlesAreInTheFeeds() async throws {
        try await APIHarness.with(content: Self.site) { api in
            let live = try await api.publishArticle(title: "Ferries run late")
            _ = try await api.createArticle(title: "A draft nobody may read")
            let inReview = try await api.createArticle(title: "An article in review")
            try api.expectSuccess(await api.transition(inReview, "submit", as: "wendy"))
            let unpublished = try await api.publishArticle(title: "Unpublished for a legal hold")
            try api.expectSuccess(await api.transition(unpublished.id, "unpublish", as: "eddie", extra: ["reason": "legal hold"]))
            let retracted = try await api.publishArticle(title: "Retracted as fabricated")
            try api.expectSuccess(
                await api.transition(retracted.id, "retract", as: "eddie", extra: ["reason": "fabricated", "notice": "Retracted."]))
            var edit = APIHarness.articleBody
            if case .object(var object) = edit {
                object["title"] = "Ferries run later than planned"
                edit = .object(object)
            }
            try api.expectSuccess(await api.call(.post, "/v1/articles/\(live.id)/revisions", as: "wendy", json: edit))

            let feed = try await api.call(.get, "/content/v1/feed.atom", as: nil)
            #expect(feed.status == .ok)
            #expect(feed.headers[.contentType] == "application/atom+xml")
            let entries = try XMLOutline(feed.body)
            #expect(entries.texts(Self.feedTitles) == ["Ferries run late"])
            #expect(entries.texts("feed/entry/id") == ["urn:uuid:\(live.id)"])
            #expect(entries.attributes("feed/entry/link").map { $0["href"] } == ["https://news.example.org/articles/\(live.slug)"])
            #expect(entries.texts("feed/author/name") == ["The Example Times"])

            let sitemap = try await api.call(.get, "/content/v1/sitemap-news.xml", as: nil)
            #expect(sitemap.status == .ok)
            #expect(sitemap.headers[.contentType] == "application/xml")
            let urls = try XMLOutline(sitemap.body)
            #expect(urls.texts(Self.newsTitles) == ["Ferries run late"])
            #expect(urls.texts("urlset/url/loc") == ["https://news.example.org/articles/\(live.slug)"])
            #expect(urls.texts("urlset/url/news:news/news:publication/news:name") == ["The Example Times"])
            #expect(urls.texts("urlset/url/news:news/news:publication/news:language") == ["en"])

            for hidden in ["nobody may read", "in review", "legal hold", "fabricated", "later than planned"] {
                #expect(!feed.text.contains(hidden))
                #expect(!sitemap.text.contains(hidden))
            }
        }
    }

    @Test func theNewsSitemapHoldsTheLastTwoDaysOnly() async throws {
        let clock = ManualClock(Date())
        let now: @Sendable () -> Date = { clock.now }
        try await APIHarness.with(now: now, content: Self.site) { api in
            _ = try await api.publishArticle(title: "Ferries run late")
            clock.advance(by: 47 * 3600)
            _ = try await api.publishArticle(title: "Ferries run on time")
            let both = try await api.call(.get, "/content/v1/sitemap-news.xml", as: nil)
            #expect(try XMLOutline(both.body).texts(Self.newsTitles) == ["Ferries run on time", "Ferries run late"])
            #expect(
                try XMLOutline(both.body).texts("urlset/url/news:news/news:publication_date").compactMap(RFC3339.parse).count == 2)

            // Nothing public changes; the first article leaves the window all the same.
            clock.advance(by: 3600 + 1)
            let one = try await api.call(.get, "/content/v1/sitemap-news.xml", as: nil)
            #expect(try XMLOutline(one.body).texts(Self.newsTitles) == ["Ferries run on time"])
            #expect(one.headers[.eTag] != both.headers[.eTag])
            let feed = try await api.call(.get, "/content/v1/feed.atom", as: nil)
            #expect(try XMLOutline(feed.body).texts(Self.feedTitles) == ["Ferries run on time", "Ferries run late"])
        }
    }

    @Test func hostileTextIsEscapedAndWhatXMLCannotCarryLeftOut() async throws {
        try await APIHarness.with(content: Self.site) { api in
            let title = "Less < more & \"quotes\" ]]> \u{1B}[31m red 😀"
            let dek = "A dek with <b>tags</b> & ]]> and \u{07} a bell"
            let body = "<script>alert(1)</script> ]]> & \u{0B}vertical tab\u{FFFF}, emoji 😀\n\nSecond <p>aragraph"
            let slug = try await api.publish(title: title, dek: dek, body: body)
            let json = try await api.call(.get, "/content/v1/articles/\(slug)", as: nil)
            let storedTitle = try #require(json.json["title"]?.stringValue)
            let bodyHTML = try #require(json.json["body_html"]?.stringValue)
            #expect(bodyHTML.contains("&lt;script&gt;"))

            let feed = try await api.call(.get, "/content/v1/feed.atom", as: nil)
            #expect(feed.status == .ok)
            #expect(!feed.text.contains("]]>"))
            #expect(!feed.text.contains("<script>"))
            #expect(!feed.text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
            let entries = try XMLOutline(feed.body)
            #expect(entries.texts(Self.feedTitles) == [Self.carried(storedTitle)])
            #expect(entries.texts("feed/entry/summary") == [Self.carried(dek)])
            #expect(entries.texts("feed/entry/content") == [Self.carried(bodyHTML)])
            #expect(entries.texts(Self.feedTitles).first?.contains("😀") == true)

            let sitemap = try await api.call(.get, "/content/v1/sitemap-news.xml", as: nil)
            #expect(!sitemap.text.contains("]]>"))
            #expect(try XMLOutline(sitemap.body).texts(Self.newsTitles) == [Self.carried(storedTitle)])
        }
    }

    @Test func feedsAnswerNotModifiedUntilSomethingPublicChanges() async throws {
        try await APIHarness.with(content: Self.site) { api in
            _ = try await api.publishArticle(title: "Ferries run late")
            for path in ["/content/v1/feed.atom", "/content/v1/sitemap-news.xml"] {
                let first = try await api.call(.get, path, as: nil)
                let etag = try #require(first.headers[.eTag])
                #expect(first.headers[.cacheControl] == "public, max-age=60, stale-while-revalidate=600")
                #expect(first.headers[.lastModified]?.hasSuffix(" GMT") == true)
                let again = try await api.call(.get, path, as: nil, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified)
                #expect(again.body.isEmpty)
            }
            let feedTag = try #require(try await api.call(.get, "/content/v1/feed.atom", as: nil).headers[.eTag])
            let newsTag = try #require(try await api.call(.get, "/content/v1/sitemap-news.xml", as: nil).headers[.eTag])
            _ = try await api.publishArticle(title: "Ferries run on time")
            let feed = try await api.call(.get, "/content/v1/feed.atom", as: nil, headers: [.ifNoneMatch: feedTag])
            #expect(feed.status == .ok)
            #expect(try XMLOutline(feed.body).texts(Self.feedTitles) == ["Ferries run on time", "Ferries run late"])
            let news = try await api.call(.get, "/content/v1/sitemap-news.xml", as: nil, headers: [.ifNoneMatch: newsTag])
            #expect(news.status == .ok)
            #expect(try XMLOutline(news.body).texts(Self.newsTitles).count == 2)
        }
    }

    @Test func linksAreAbsoluteFromTheRequestsHostWithoutAPublicURL() async throws {
        try await APIHarness.with { api in
            let (id, slug) = try await api.publishArticle(title: "Ferries run late")
            let feed = try XMLOutline(try await api.call(.get, "/content/v1/feed.atom?section=world&tag=venezuela", as: nil).body)
            let this = "http://localhost/content/v1/feed.atom?section=world&tag=venezuela"
            #expect(feed.texts("feed/id") == [this])
            #expect(feed.attributes("feed/link") == [["rel": "self", "type": "application/atom+xml", "href": this]])
            #expect(feed.texts("feed/entry/id") == ["urn:uuid:\(id)"])
            #expect(feed.attributes("feed/entry/link").map { $0["href"] } == ["http://localhost/content/v1/articles/\(slug)"])
            #expect(
                feed.attributes("feed/entry/category") == [
                    ["term": "world", "scheme": "http://localhost/content/v1/feed.atom?section="],
                    ["term": "venezuela", "scheme": "http://localhost/content/v1/feed.atom?tag="],
                ])
            #expect(feed.texts("feed/title") == ["Galley · world · venezuela"])

            var proxied = HTTPFields()
            proxied[HTTPField.Name("X-Forwarded-Proto")!] = "https"
            let news = try XMLOutline(try await api.call(.get, "/content/v1/sitemap-news.xml", as: nil, headers: proxied).body)
            #expect(news.texts("urlset/url/loc") == ["https://localhost/content/v1/articles/\(slug)"])

            let elsewhere = try XMLOutline(try await api.call(.get, "/content/v1/feed.atom?section=politics", as: nil).body)
            #expect(elsewhere.texts(Self.feedTitles) == [])
            #expect(elsewhere.texts("feed/updated") == ["1970-01-01T00:00:00.000000Z"])

            // A section is a slug and a tag holds no control character: anything else is refused, not a feed of its own.
            for query in ["section=a%01b&tag=c", "section=a&tag=b%01c", "section=Politics"] {
                #expect(try await api.call(.get, "/content/v1/feed.atom?\(query)", as: nil).status == .unprocessableContent)
            }
        }
    }

    /// What XML 1.0 can carry of `text`: without the control characters other than tab, line
    /// feed and carriage return, and without U+FFFE and U+FFFF.
    static func carried(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.filter {
                    ($0.value >= 0x20 || [0x09, 0x0A, 0x0D].contains($0.value)) && $0.value != 0xFFFE && $0.value != 0xFFFF
                }))
    }
}

extension APIHarness {
    /// An article with this text taken from draft to published: its slug.
    func publish(title: String, dek: String, body: String) async throws -> String {
        let created = try await call(
            .post, "/v1/articles", as: "wendy",
            json: [
                "title": .string(title), "dek": .string(dek), "section": "world", "tags": ["venezuela"], "body": .string(body),
                "sources": [["url": "https://example.org/news/1", "outlet": "Example Wire", "title": "Prisoners freed"]],
            ])
        guard created.status == .created, let id = created.json["id"]?.stringValue else {
            throw HarnessError("create failed: \(created.status) \(created.text)")
        }
        return try await publish(id)
    }
}
