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
/// its row, the current revision's title, and the whole current revision only when asked for.
public struct ListedArticle: Sendable {
    public let article: Article
    public let title: String
    public let current: Revision?
}
