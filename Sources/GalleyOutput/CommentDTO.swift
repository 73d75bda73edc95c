import Foundation
import Galley
import GalleyCore

// Comment threads as the API and the CLI write them.

/// Who wrote or resolved a comment.
public struct CommentActorDTO: Encodable, Sendable {
    public var id: String
    public var name: String
    public var display_name: String

    public init(_ author: Comment.Author) {
        id = author.id.wire
        name = author.name
        display_name = author.displayName
    }
}

/// One comment; a thread's root also carries its `replies`.
public struct CommentDTO: Encodable, Sendable {
    public var id: String
    public var article_id: String
    public var parent_id: String?
    public var revision: Int
    public var quote: String?
    public var claim_id: String?
    public var body: String
    public var author: CommentActorDTO
    public var created_at: Date
    public var resolved: Bool
    public var resolved_at: Date?
    public var resolved_by: CommentActorDTO?
    public var outdated: Bool
    public var replies: [CommentDTO]?

    public init(_ comment: Comment, replies: [Comment]? = nil) {
        id = comment.id.wire
        article_id = comment.articleID.wire
        parent_id = comment.parentID.wire
        revision = comment.revision
        quote = comment.quote
        claim_id = comment.claimID.wire
        body = comment.body
        author = CommentActorDTO(comment.author)
        created_at = comment.createdAt
        resolved = comment.resolvedAt != nil
        resolved_at = comment.resolvedAt
        resolved_by = comment.resolvedBy.map(CommentActorDTO.init)
        outdated = comment.outdated
        self.replies = replies.map { $0.map { CommentDTO($0) } }
    }

    /// A thread: its root with every reply.
    public init(_ thread: CommentThread) {
        self.init(thread.root, replies: thread.replies)
    }

    enum CodingKeys: String, CodingKey {
        case id, article_id, parent_id, revision, quote, claim_id, body, author, created_at, resolved, resolved_at, resolved_by
        case outdated, replies
    }

    /// Absent optionals are written as null, so every comment has the same keys; `replies`
    /// only on a thread.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(article_id, forKey: .article_id)
        try container.encode(parent_id, forKey: .parent_id)
        try container.encode(revision, forKey: .revision)
        try container.encode(quote, forKey: .quote)
        try container.encode(claim_id, forKey: .claim_id)
        try container.encode(body, forKey: .body)
        try container.encode(author, forKey: .author)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(resolved, forKey: .resolved)
        try container.encode(resolved_at, forKey: .resolved_at)
        try container.encode(resolved_by, forKey: .resolved_by)
        try container.encode(outdated, forKey: .outdated)
        try container.encodeIfPresent(replies, forKey: .replies)
    }
}
