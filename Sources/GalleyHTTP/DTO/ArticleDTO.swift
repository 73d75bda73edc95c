import Foundation
import Galley
import GalleyCore
import GalleyOutput

// Request bodies: field names are the contract's snake_case names. Responses are written by
// GalleyOutput, which the CLI shares.

/// The content fields of `POST /v1/articles` and `POST /v1/articles/{id}/revisions`.
struct ContentInput: Decodable, Sendable {
    var title: String
    var dek: String?
    var body: String
    var insight: String?
    var disclosure: String?
    var sources: [SourceDTO]?

    func content() throws -> ArticleContent {
        try ArticleContent(
            title: title, dek: dek ?? "", body: body, insight: insight, disclosure: disclosure,
            sources: (sources ?? []).map(\.source))
    }
}

struct NewArticleInput: Decodable, Sendable {
    var title: String
    var dek: String?
    var body: String
    var insight: String?
    var disclosure: String?
    var sources: [SourceDTO]?
    var section: String
    var tags: [String]?
    var slug: String?

    var content: ContentInput {
        ContentInput(title: title, dek: dek, body: body, insight: insight, disclosure: disclosure, sources: sources)
    }
}

struct TransitionInput: Decodable, Sendable {
    var action: String
    var reason: String?
    var publish_at: Date?
    var correction_note: String?
    var notice: String?
}
