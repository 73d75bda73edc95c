import Foundation
import Galley
import GalleyCore

/// A listed article with only the fields asked for (`fields=`): each member named and written
/// as `ArticleDTO` writes it, plus `title`, the current revision's. Absent optional members
/// (no live revision, no publication time) stay absent, as in `ArticleDTO`.
public struct ArticleFieldsDTO: JSONWritable, Sendable {
    /// In name order, the order `WireJSON` sorts keys in.
    let fields: [ArticleField]
    let article: Article
    let title: String
    let current: RevisionDTO?

    public init(_ listed: ListedArticle, fields: Set<ArticleField>) {
        self.fields = fields.sorted()
        article = listed.article
        title = listed.title
        current = fields.contains(.current_revision) ? listed.current.map(RevisionDTO.init) : nil
    }

    public var estimatedJSONBytes: Int { (current?.estimatedJSONBytes ?? 0) + title.utf8.count + fields.count * 48 + 64 }

    public func write(to writer: inout JSONWriter) {
        writer.object { out in
            for field in fields {
                switch field {
                case .created_at: out.member("created_at", article.createdAt)
                case .current_revision: if let current { out.member("current_revision", current) }
                case .id: out.member("id", article.id.wire)
                case .live_revision: out.memberIfPresent("live_revision", article.liveRevision)
                case .origin: out.member("origin", article.origin.rawValue)
                case .publish_at: out.memberIfPresent("publish_at", article.publishAt)
                case .responsible_editor: out.memberIfPresent("responsible_editor", article.responsibleEditor)
                case .section: out.member("section", article.section)
                case .slug: out.member("slug", article.slug)
                case .state: out.member("state", article.state.rawValue)
                case .tags: out.member("tags", article.tags)
                case .title: out.member("title", title)
                case .updated_at: out.member("updated_at", article.updatedAt)
                case .version: out.member("version", article.version)
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
            case .created_at: try out.encode(article.createdAt, forKey: key)
            case .current_revision: try out.encodeIfPresent(current, forKey: key)
            case .id: try out.encode(article.id.wire, forKey: key)
            case .live_revision: try out.encodeIfPresent(article.liveRevision, forKey: key)
            case .origin: try out.encode(article.origin.rawValue, forKey: key)
            case .publish_at: try out.encodeIfPresent(article.publishAt, forKey: key)
            case .responsible_editor: try out.encodeIfPresent(article.responsibleEditor, forKey: key)
            case .section: try out.encode(article.section, forKey: key)
            case .slug: try out.encode(article.slug, forKey: key)
            case .state: try out.encode(article.state.rawValue, forKey: key)
            case .tags: try out.encode(article.tags, forKey: key)
            case .title: try out.encode(title, forKey: key)
            case .updated_at: try out.encode(article.updatedAt, forKey: key)
            case .version: try out.encode(article.version, forKey: key)
            }
        }
    }
}
