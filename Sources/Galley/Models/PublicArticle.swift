import Foundation
import GalleyCore

/// What readers may see of an article: its live revision, or after a retraction only its
/// title and the notice. Never a draft, and never an edit that is not yet published.
public struct PublicArticle: Sendable {
    public enum Standing: Sendable {
        /// Live: the revision readers see, with its public corrections in order.
        case live(Revision, corrections: [Correction])
        /// Retracted: the title it was last published under, and the notice.
        case retracted(title: String, notice: Correction?)
    }

    public let id: UUID
    public let slug: String
    public let section: String
    public let tags: [String]
    public let origin: Origin
    public let standing: Standing
    /// When it first went live.
    public let publishedAt: Date
    /// When what readers see of it last changed: a publication, a correction, a retraction.
    public let updatedAt: Date
}

/// A live article as a news sitemap lists it.
public struct PublicHeadline: Sendable {
    public let id: UUID
    public let slug: String
    /// The live revision's title.
    public let title: String
    /// When it first went live.
    public let publishedAt: Date
}

/// A read of published content with the counter of public changes (`content_generation`)
/// as it stood before the read: whatever committed up to that count is in `value`.
public struct PublicRead<Value: Sendable>: Sendable {
    public let value: Value
    public let generation: Int64
}
