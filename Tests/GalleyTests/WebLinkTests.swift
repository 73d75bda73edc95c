import Foundation
import Galley
import GalleyCore
import Testing

/// Links are recorded only when other programs can follow them too.
@Suite struct WebLinkTests {
    @Test func absoluteHTTPLinksWithAHostAreAccepted() {
        for link in [
            "https://example.org/news/venezuela-release", "http://example.org", "https://[2001:db8::1]/report",
            "https://example.org/search?q=water%20reform#results", "https://例え.jp/パス",
        ] {
            #expect(WebLink.isValid(link), "\(link)")
        }
    }

    @Test func linksOthersCannotFollowAreRefused() {
        for link in [
            "", "example.org/news", "ftp://example.org/file", "https://", "http://:80/", "http://[", "http://[::1", "http://a]b/",
            "http://[zz]/", "http://[@example.org/", "https://editor:secret@example.org/", "https://example.org/a b", "https://example.org/\u{7}",
            String(repeating: "a", count: 2100),
            // The database's CHECK wants the scheme in lower case: accepted here, they were a 500 there.
            "HTTPS://example.org/report", "Http://example.org",
        ] {
            #expect(!WebLink.isValid(link), "\(link)")
        }
    }

    @Test func aSourceOrAGenerationWithABrokenLinkIsRefusedNamingTheField() async throws {
        try await Newsroom.with { room in
            let error = #expect(throws: GalleyError.self) {
                try ArticleContent(
                    title: "Water reform", dek: "", body: "Passed.", insight: nil, disclosure: nil,
                    sources: [Source(url: "http://[zz]/", outlet: "Wire", title: "Vote")])
            }
            #expect(error == .validation([.init(field: "sources[0].url", message: WebLink.requirement)]))
            let refused = await #expect(throws: GalleyError.self) {
                try await room.services.generations.register(
                    .init(
                        brief: .init(section: "politics", tags: []), model: "gpt-x", modelVersion: "1", promptVersion: "1",
                        sources: [Source(url: "https://example.org/a b", outlet: "Wire", title: "Vote")]),
                    by: room.ai)
            }
            #expect(refused == .validation([.init(field: "sources[0].url", message: WebLink.requirement)]))
        }
    }
}
