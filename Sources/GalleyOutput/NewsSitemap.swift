import Foundation
import Galley
import GalleyCore

/// Articles first published in the last 48 hours as a Google News sitemap (the sitemaps.org
/// 0.9 format with Google's `news:` extension; docs/content.md, "Feeds").
public enum NewsSitemap {
    public static let contentType = "application/xml"

    public static func render(_ headlines: [PublicHeadline], site: FeedSite) -> [UInt8] {
        var writer = XMLWriter(capacity: 256 * (headlines.count + 1))
        writer.element(
            "urlset", ["xmlns": "http://www.sitemaps.org/schemas/sitemap/0.9", "xmlns:news": "http://www.google.com/schemas/sitemap-news/0.9"]
        ) { writer in
            for headline in headlines {
                writer.element("url") { writer in
                    writer.element("loc", text: site.link(slug: headline.slug))
                    writer.element("news:news") { writer in
                        writer.element("news:publication") { writer in
                            writer.element("news:name", text: site.publicationName)
                            writer.element("news:language", text: site.language)
                        }
                        writer.element("news:publication_date", text: RFC3339.format(headline.publishedAt))
                        writer.element("news:title", text: headline.title)
                    }
                }
            }
        }
        return writer.bytes
    }
}
