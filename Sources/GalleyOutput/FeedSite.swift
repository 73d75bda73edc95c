import Foundation

/// What the feeds say about the site around the articles: absolute addresses and the
/// publication (docs/content.md, "Feeds").
public struct FeedSite: Sendable {
    /// Scheme and authority (and path prefix, if any) of this server, without a final slash.
    public var base: String
    public var publicationName: String
    /// ISO 639 code, as Google News takes it.
    public var language: String
    /// The site's address of an article, `{slug}` standing for its slug; nil: the content API's.
    public var articleURL: String?

    public init(base: String, publicationName: String, language: String, articleURL: String?) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.publicationName = publicationName
        self.language = language
        self.articleURL = articleURL
    }

    /// Where readers find the article with `slug` (a slug needs no escaping in a URL).
    public func link(slug: String) -> String {
        guard let articleURL else { return base + "/content/v1/articles/" + slug }
        return articleURL.replacingOccurrences(of: "{slug}", with: slug)
    }

    /// `path` on this server, with `query` percent-encoded in the order given, nil values left out.
    public func address(_ path: String, query: KeyValuePairs<String, String?> = [:]) -> String {
        let parameters = query.compactMap { name, value in
            value.map { name + "=" + ($0.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? "") }
        }
        return base + path + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    private static let queryValue = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#;"))
}
