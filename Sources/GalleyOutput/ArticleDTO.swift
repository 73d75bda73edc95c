import Foundation
import Galley
import GalleyCore

// How an article is written, by the API and the CLI alike: field names are the API
// contract's snake_case names.

/// A source an article cites (also read from request bodies).
public struct SourceDTO: Codable, Sendable {
    public var url: String
    public var outlet: String
    public var title: String
    public var retrieved_at: Date?

    public init(_ source: Source) {
        url = source.url
        outlet = source.outlet
        title = source.title
        retrieved_at = source.retrievedAt
    }

    public var source: Source { Source(url: url, outlet: outlet, title: title, retrievedAt: retrieved_at) }
}

/// One revision of an article's text.
public struct RevisionDTO: Encodable, Sendable {
    public var number: Int
    public var title: String
    public var dek: String
    public var body: String
    public var insight: String?
    public var disclosure: String?
    public var sources: [SourceDTO]
    public var content_hash: String
    public var author: String
    public var created_at: Date
    public var digital_source_type: String?
    public var generation_id: String?

    public init(_ revision: Revision) {
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

/// Where one checkpoint stands for the current revision.
public struct CheckpointDTO: Encodable, Sendable {
    public var checkpoint: String
    public var status: String
    public var by: String?
    public var at: Date?
    public var roles: [String]

    public init(_ status: CheckpointStatus) {
        checkpoint = status.checkpoint
        self.status = status.status.rawValue
        by = status.by
        at = status.at
        roles = status.roles.map(\.rawValue)
    }
}

/// An article as `GET /v1/articles/{id}` returns it: its state, its current revision and,
/// when published, its live one.
public struct ArticleDTO: Encodable, Sendable {
    public var id: String
    public var slug: String
    public var section: String
    public var tags: [String]
    public var origin: String
    public var state: String
    public var live_revision: Int?
    public var publish_at: Date?
    public var current_revision: RevisionDTO
    public var live: RevisionDTO?
    public var checkpoints: [CheckpointDTO]?
    /// The open assignments, with the detail (not in lists).
    public var assignments: [AssignmentDTO]?
    public var responsible_editor: String?
    public var version: Int
    public var created_at: Date
    public var updated_at: Date

    public init(_ article: Article, current: Revision, live: Revision? = nil, checkpoints: [CheckpointStatus]? = nil) {
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

    public init(_ detail: ArticleDetail) {
        self.init(detail.article, current: detail.current, live: detail.live, checkpoints: detail.checkpoints)
        assignments = detail.assignments.map(AssignmentDTO.init)
    }
}
