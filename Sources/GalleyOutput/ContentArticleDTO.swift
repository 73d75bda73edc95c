import Foundation
import Galley
import GalleyCore

/// A published article as the content API shows it to anyone (docs/content.md): its live
/// text with the body rendered, or after a retraction only its title and the notice.
public struct ContentArticleDTO: Encodable, Sendable {
    public struct CorrectionDTO: Encodable, Sendable {
        public var number: Int
        public var note: String
        public var at: Date
    }

    public struct RetractionDTO: Encodable, Sendable {
        public var notice: String?
        public var at: Date
    }

    public var slug: String
    public var title: String
    public var dek: String?
    public var body: String?
    public var body_html: String?
    public var insight: String?
    public var disclosure: String?
    public var section: String?
    public var tags: [String]?
    public var sources: [SourceDTO]?
    public var published_at: Date?
    public var updated_at: Date?
    public var revision: Int?
    public var content_hash: String?
    public var origin: String?
    public var digital_source_type: String?
    public var corrections: [CorrectionDTO]?
    public var retraction: RetractionDTO?

    public init(_ article: PublicArticle) {
        slug = article.slug
        switch article.standing {
        case .retracted(let title, let notice):
            self.title = title
            retraction = RetractionDTO(notice: notice?.note, at: article.updatedAt)
        case .live(let revision, let notices):
            let content = revision.content
            title = content.title
            dek = content.dek
            body = content.body
            body_html = Markdown.html(content.body)
            insight = content.insight
            disclosure = content.disclosure
            section = article.section
            tags = article.tags
            sources = content.sources.map(SourceDTO.init)
            published_at = article.publishedAt
            updated_at = article.updatedAt
            self.revision = revision.number
            content_hash = content.contentHash
            origin = article.origin.rawValue
            digital_source_type = revision.digitalSourceType?.rawValue
            corrections = notices.map { CorrectionDTO(number: $0.number, note: $0.note, at: $0.createdAt) }
        }
    }
}
