import Foundation
import Galley
import GalleyCore

/// A listed article with only the fields asked for (`fields=`): each member named and written
/// as `ArticleDTO` writes it, plus `title`, the current revision's. Absent optional members
/// (no live revision, no publication time) stay absent, as in `ArticleDTO`; a member the
/// list did not read is absent too (the list reads every member it is asked for).
public struct ArticleFieldsDTO: JSONWritable, Sendable {
    /// In name order, the order `WireJSON` sorts keys in.
    let fields: [ArticleField]
    let article: ListedArticle
    let current: RevisionDTO?

    public init(_ listed: ListedArticle, fields: Set<ArticleField>) {
        self.init(listed, sortedFields: fields.sorted())
    }

    private init(_ listed: ListedArticle, sortedFields fields: [ArticleField]) {
        self.fields = fields
        article = listed
        current = fields.contains(.current_revision) ? listed.current.map(RevisionDTO.init) : nil
    }

    /// A page's articles, with `fields` put in order once for all of them.
    public static func list(_ items: [ListedArticle], fields: Set<ArticleField>) -> [ArticleFieldsDTO] {
        let sorted = fields.sorted()
        return items.map { ArticleFieldsDTO($0, sortedFields: sorted) }
    }

    public var estimatedJSONBytes: Int { (current?.estimatedJSONBytes ?? 0) + fields.count * 48 + 64 }

    public func write(to writer: inout JSONWriter) {
        writer.object { out in
            for field in fields {
                switch field {
                case .created_at: out.memberIfPresent("created_at", article.createdAt)
                case .current_revision: if let current { out.member("current_revision", current) }
                case .id: out.member("id", article.id.wire)
                case .live_revision: out.memberIfPresent("live_revision", article.liveRevision)
                case .origin: out.memberIfPresent("origin", article.origin?.rawValue)
                case .publish_at: out.memberIfPresent("publish_at", article.publishAt)
                case .responsible_editor: out.memberIfPresent("responsible_editor", article.responsibleEditor)
                case .section: out.memberIfPresent("section", article.section)
                case .slug: out.memberIfPresent("slug", article.slug)
                case .state: out.memberIfPresent("state", article.state?.rawValue)
                case .tags: if let tags = article.tags { out.member("tags", tags) }
                case .title: out.memberIfPresent("title", article.title)
                case .updated_at: out.member("updated_at", article.updatedAt)
                case .version: out.memberIfPresent("version", article.version)
                }
            }
        }
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ field: ArticleField) { stringValue = field.rawValue }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: Key.self)
        for field in fields {
            let key = Key(field)
            switch field {
            case .created_at: try out.encodeIfPresent(article.createdAt, forKey: key)
            case .current_revision: try out.encodeIfPresent(current, forKey: key)
            case .id: try out.encode(article.id.wire, forKey: key)
            case .live_revision: try out.encodeIfPresent(article.liveRevision, forKey: key)
            case .origin: try out.encodeIfPresent(article.origin?.rawValue, forKey: key)
            case .publish_at: try out.encodeIfPresent(article.publishAt, forKey: key)
            case .responsible_editor: try out.encodeIfPresent(article.responsibleEditor, forKey: key)
            case .section: try out.encodeIfPresent(article.section, forKey: key)
            case .slug: try out.encodeIfPresent(article.slug, forKey: key)
            case .state: try out.encodeIfPresent(article.state?.rawValue, forKey: key)
            case .tags: try out.encodeIfPresent(article.tags, forKey: key)
            case .title: try out.encodeIfPresent(article.title, forKey: key)
            case .updated_at: try out.encode(article.updatedAt, forKey: key)
            case .version: try out.encodeIfPresent(article.version, forKey: key)
            }
        }
    }
}
