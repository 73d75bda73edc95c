import Foundation
import GalleyCore

/// Which reviewers the public review record names (`GALLEY_PUBLIC_REVIEWERS`): by name, or
/// only by their roles. The responsible editor is named either way, as mastheads do.
public enum PublicReviewers: String, Sendable, CaseIterable {
    case names
    case roles
}

/// How a published article was checked, as anyone may read it (docs/content.md, "The review
/// record"): the verdicts on its live text, its claims, who holds editorial responsibility,
/// and the seal that covers its last audit event. Reviewers' notes stay inside the newsroom.
public struct PublicReviewRecord: Sendable {
    /// A person as the record shows them: a name only where the setting or the role allows.
    public struct Person: Sendable {
        public let name: String?
        public let roles: [Role]
    }

    /// A verdict on the live text.
    public struct Check: Sendable {
        public let checkpoint: String
        public let verdict: Verdict
        public let contentHash: String
        public let reviewer: Person
        public let at: Date
        /// Its evidence links (http or https), the first `ContentService.linksShown`.
        public let evidence: [String]
    }

    public struct CheckedClaim: Sendable {
        public let text: String
        public let status: ClaimStatus
        public let evidence: [String]
        public let updatedAt: Date
    }

    /// The first items of a list and how many there are in all.
    public struct Bounded<Item: Sendable>: Sendable {
        public let items: [Item]
        public let total: Int
        public var notShown: Int { total - items.count }
    }

    /// The audit seal listing the article's newest event.
    public struct Seal: Sendable {
        public let id: Int
        public let at: Date
    }

    /// The article as readers see it; after a retraction only its title and notice, and
    /// nothing below.
    public let article: PublicArticle
    public let checks: Bounded<Check>
    public let claims: Bounded<CheckedClaim>
    /// The approver of the live text, always named.
    public let editor: Person?
    /// Nil until a seal lists the article's newest event.
    public let seal: Seal?

    /// When what the record shows last changed, as far as its listed items tell.
    public var lastChanged: Date {
        ([article.updatedAt, seal?.at] + checks.items.map(\.at) + claims.items.map(\.updatedAt)).compactMap { $0 }.max() ?? article.updatedAt
    }
}
