import Foundation
import Galley
import GalleyCore
import Postgres

// Wire types: field names are the contract's snake_case names.

struct SourceDTO: Codable, Sendable {
    var url: String
    var outlet: String
    var title: String
    var retrieved_at: Date?

    init(_ source: Source) {
        url = source.url
        outlet = source.outlet
        title = source.title
        retrieved_at = source.retrievedAt
    }

    var source: Source { Source(url: url, outlet: outlet, title: title, retrievedAt: retrieved_at) }
}

struct RevisionDTO: Encodable, Sendable {
    var number: Int
    var title: String
    var dek: String
    var body: String
    var insight: String?
    var disclosure: String?
    var sources: [SourceDTO]
    var content_hash: String
    var author: String
    var created_at: Date
    var digital_source_type: String?
    var generation_id: String?

    init(_ revision: Revision) {
        let content = revision.content
        number = revision.number
        title = content.title
        dek = content.dek
        body = content.body
        insight = content.insight
        disclosure = content.disclosure
        sources = content.sources.map(SourceDTO.init)
        content_hash = content.contentHash
        author = revision.author
        created_at = revision.createdAt
        digital_source_type = revision.digitalSourceType?.rawValue
        generation_id = revision.generationID.wire
    }
}

struct CheckpointDTO: Encodable, Sendable {
    var checkpoint: String
    var status: String
    var by: String?
    var at: Date?
    var roles: [String]

    init(_ status: CheckpointStatus) {
        checkpoint = status.checkpoint
        self.status = status.status.rawValue
        by = status.by
        at = status.at
        roles = status.roles.map(\.rawValue)
    }
}

struct ArticleDTO: Encodable, Sendable {
    var id: String
    var slug: String
    var section: String
    var tags: [String]
    var origin: String
    var state: String
    var live_revision: Int?
    var publish_at: Date?
    var current_revision: RevisionDTO
    var live: RevisionDTO?
    var checkpoints: [CheckpointDTO]?
    var responsible_editor: String?
    var version: Int
    var created_at: Date
    var updated_at: Date

    init(_ article: Article, current: Revision, live: Revision? = nil, checkpoints: [CheckpointStatus]? = nil) {
        id = article.id.wire
        slug = article.slug
        section = article.section
        tags = article.tags
        origin = article.origin.rawValue
        state = article.state.rawValue
        live_revision = article.liveRevision
        publish_at = article.publishAt
        current_revision = RevisionDTO(current)
        self.live = live.map(RevisionDTO.init)
        self.checkpoints = checkpoints?.map(CheckpointDTO.init)
        responsible_editor = article.responsibleEditor
        version = article.version
        created_at = article.createdAt
        updated_at = article.updatedAt
    }

    init(_ detail: ArticleDetail) {
        self.init(detail.article, current: detail.current, live: detail.live, checkpoints: detail.checkpoints)
    }
}

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

struct ListDTO<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var next_cursor: String?
}

struct ItemsDTO<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
}

extension UUID {
    /// Ids on the wire are lowercase, as RFC 9562 recommends and as the CLI prints them.
    var wire: String { lowercasedString }
}

extension Optional where Wrapped == UUID {
    var wire: String? { self?.lowercasedString }
}
