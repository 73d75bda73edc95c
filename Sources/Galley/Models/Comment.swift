import Foundation
import GalleyCore

/// A comment on an article: the root of a thread (`parentID` nil) or a reply to one.
public struct Comment: Sendable, Equatable {
    public struct Author: Sendable, Equatable {
        public let id: UUID
        public let name: String
        public let displayName: String
    }

    public let id: UUID
    public let articleID: UUID
    public let revision: Int
    public let parentID: UUID?
    public let quote: String?
    public let claimID: UUID?
    public let body: String
    public let author: Author
    public let createdAt: Date
    /// Set on a thread's root while the thread is resolved.
    public let resolvedAt: Date?
    public let resolvedBy: Author?
    /// The quote no longer occurs in the article's current revision.
    public let outdated: Bool
}

/// A root comment and its replies, oldest first.
public struct CommentThread: Sendable, Equatable {
    public let root: Comment
    public let replies: [Comment]
}
