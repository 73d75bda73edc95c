import Foundation
import Galley
import GalleyCore
import GalleyOutput
import HTTPTypes
import Hummingbird

/// The Atom feed and the Google News sitemap (docs/content.md, "Feeds"): rendered once per
/// change readers can see, like every answer of the published side.
extension ContentRoutes {
    @Sendable func feed(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        let site = try site(for: request)
        let section = request.query("section")
        let tag = request.query("tag")
        // Its own address, with the filters percent-encoded: one key per feed, whatever the filters hold.
        let address = site.address(AtomFeed.path, query: ["section": section, "tag": tag])
        let content = services.content
        let representation = try await representations.current("feed\u{1}" + address) { atLeast in
            let read = try await content.feed(section: section, tag: tag, atLeast: atLeast)
            return Representation(
                body: AtomFeed.render(read.value, site: site, section: section, tag: tag), contentType: AtomFeed.contentType,
                lastModified: read.value.map(\.updatedAt).max(), generation: read.generation)
        }
        return representations.response(representation, for: request)
    }

    @Sendable func newsSitemap(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        let site = try site(for: request)
        let content = services.content
        let representation = try await representations.current("sitemap-news\u{1}" + site.base) { atLeast in
            let read = try await content.news(atLeast: atLeast)
            // It goes stale when its oldest article leaves the window, whether or not anything changes.
            return Representation(
                body: NewsSitemap.render(read.value, site: site), contentType: NewsSitemap.contentType,
                lastModified: read.value.map(\.publishedAt).max(), generation: read.generation,
                expires: read.value.last.map { $0.publishedAt.addingTimeInterval(ContentService.newsWindow) })
        }
        return representations.response(representation, for: request)
    }

    /// Absolute addresses start with `GALLEY_PUBLIC_URL`, else with the address the request
    /// was sent to: its `Host`, over https when `X-Forwarded-Proto` says so.
    func site(for request: Request) throws -> FeedSite {
        let base: String
        if let url = settings.publicURL {
            base = url.absoluteString
        } else {
            guard let host = request.head.authority, Self.isAuthority(host) else {
                throw Problem.badRequest(
                    "The Host header must name this server (a host name or address, and a port) for the feed's absolute links; "
                        + "or set GALLEY_PUBLIC_URL.")
            }
            let https = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
            base = (https ? "https://" : "http://") + host.lowercased()
        }
        return FeedSite(
            base: base, publicationName: settings.publicationName, language: settings.publicationLanguage, articleURL: settings.articleURL)
    }

    /// `host[:port]` with a DNS name, an IPv4 address or a bracketed IPv6 address.
    static func isAuthority(_ text: String) -> Bool {
        guard (1...260).contains(text.utf8.count) else { return false }
        var host = Substring(text)
        if let colon = text.lastIndex(of: ":"), !text.hasSuffix("]") {
            let port = text[text.index(after: colon)...]
            guard (1...5).contains(port.count), port.allSatisfy({ ("0"..."9").contains($0) }) else { return false }
            host = text[..<colon]
        }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            return host.dropFirst().dropLast().allSatisfy { $0.isHexDigit && $0.isASCII || $0 == ":" || $0 == "." }
        }
        return !host.isEmpty && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
    }
}
