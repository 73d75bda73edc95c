import Foundation
import Galley
import GalleyCore

/// The newest live articles as an Atom 1.0 feed (RFC 4287; docs/content.md, "Feeds").
public enum AtomFeed {
    public static let contentType = "application/atom+xml"
    public static let path = "/content/v1/feed.atom"
    /// A feed's `updated` when it holds no entry.
    static let epoch = Date(timeIntervalSince1970: 0)

    /// Each entry is an article's live revision: `urn:uuid:` of the article as its id, its
    /// body rendered as HTML, its section and tags as categories. The publication is the
    /// author of the feed and so of every entry.
    public static func render(_ articles: [PublicArticle], site: FeedSite, section: String?, tag: String?) -> [UInt8] {
        let this = site.address(path, query: ["section": section, "tag": tag])
        var title = site.publicationName
        if let section { title += " · " + section }
        if let tag { title += " · " + tag }
        var writer = XMLWriter(capacity: 64 << 10)
        writer.element("feed", ["xmlns": "http://www.w3.org/2005/Atom", "xml:lang": site.language]) { writer in
            writer.element("id", text: this)
            writer.element("title", text: title)
            writer.element("updated", text: RFC3339.format(articles.map(\.updatedAt).max() ?? epoch))
            writer.emptyElement("link", ["rel": "self", "type": contentType, "href": this])
            writer.element("author") { writer in writer.element("name", text: site.publicationName) }
            for article in articles {
                guard case .live(let revision, _) = article.standing else { continue }
                entry(article, revision.content, site: site, into: &writer)
            }
        }
        return writer.bytes
    }

    private static func entry(_ article: PublicArticle, _ content: ArticleContent, site: FeedSite, into writer: inout XMLWriter) {
        writer.element("entry") { writer in
            writer.element("id", text: "urn:uuid:" + article.id.wire)
            writer.element("title", text: content.title)
            writer.element("updated", text: RFC3339.format(article.updatedAt))
            writer.element("published", text: RFC3339.format(article.publishedAt))
            writer.emptyElement("link", ["rel": "alternate", "href": site.link(slug: article.slug)])
            if !content.dek.isEmpty { writer.element("summary", text: content.dek) }
            writer.element("content", ["type": "html"], text: Markdown.html(content.body))
            writer.emptyElement("category", ["term": article.section, "scheme": site.address(path, query: ["section": ""])])
            for tag in article.tags {
                writer.emptyElement("category", ["term": tag, "scheme": site.address(path, query: ["tag": ""])])
            }
        }
    }
}
