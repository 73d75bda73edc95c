import Foundation
import GalleyCore

/// The members of a listed article a caller may ask for by name (`fields=` in the API,
/// `--fields` in the CLI), like WordPress's `_fields`: a closed set. `title` is the current
/// revision's title; `current_revision` is the whole current revision, body included. A list
/// that asks for neither of those two reads no revision; one that asks only for `title` reads
/// the title alone, never a body.
public enum ArticleField: String, CaseIterable, Sendable, Comparable {
    case created_at, current_revision, id, live_revision, origin, publish_at, responsible_editor, section, slug, state, tags, title,
        updated_at, version

    public static func < (lhs: ArticleField, rhs: ArticleField) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The longest `fields` read: every name, listed once, is less than half of it.
    public static let maxLength = 400

    /// Reads a comma-separated list of names; refuses an unknown or empty name by name,
    /// listing the known ones.
    public static func parse(_ text: String) throws(GalleyError) -> Set<ArticleField> {
        let allowed = allCases.map(\.rawValue).joined(separator: ", ")
        guard text.utf8.count <= maxLength else {
            throw .validation([
                .init(field: "fields", message: "is longer than \(maxLength) characters; name each of these fields at most once: \(allowed)")
            ])
        }
        var fields = Set<ArticleField>()
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = name.trimmingWhiteSpace()
            guard let field = ArticleField(rawValue: name) else {
                let said = name.isEmpty ? "an empty name" : "unknown field \"\(name.prefix(40))\""
                throw .validation([.init(field: "fields", message: "has \(said); the fields are \(allowed)")])
            }
            fields.insert(field)
        }
        return fields
    }
}

/// One article of a list as `ArticleService.list(_:fields:by:)` reads it for a set of fields:
/// its id and `updated_at` (a cursor's), and of the rest only the members asked for, nil
/// otherwise (as are the optional members that are empty: no live revision, no publication
/// time, no responsible editor). The whole current revision only when asked for.
public struct ListedArticle: Sendable {
    public let id: UUID
    public let updatedAt: Date
    public internal(set) var createdAt: Date?
    public internal(set) var liveRevision: Int?
    public internal(set) var origin: Origin?
    public internal(set) var publishAt: Date?
    public internal(set) var responsibleEditor: String?
    public internal(set) var section: String?
    public internal(set) var slug: String?
    public internal(set) var state: ArticleState?
    public internal(set) var tags: [String]?
    public internal(set) var title: String?
    public internal(set) var version: Int?
    public internal(set) var current: Revision?

    init(id: UUID, updatedAt: Date) {
        self.id = id
        self.updatedAt = updatedAt
    }

    /// Every member, from the article's row and its current revision.
    init(_ article: Article, current: Revision?) {
        self.init(id: article.id, updatedAt: article.updatedAt)
        createdAt = article.createdAt
        liveRevision = article.liveRevision
        origin = article.origin
        publishAt = article.publishAt
        responsibleEditor = article.responsibleEditor
        section = article.section
        slug = article.slug
        state = article.state
        tags = article.tags
        title = current?.content.title
        version = article.version
        self.current = current
    }
}
