import Foundation
import GalleyCore

extension ContentService {
    /// How many verdicts and claims the public review record lists; it says how many more.
    public static let reviewItemsShown = 100
    /// How many evidence links it shows per verdict or claim.
    public static let linksShown = 10

    /// How the published article with `slug` was checked (docs/content.md, "The review
    /// record"), naming reviewers as `reviewers` says, including at least the public changes
    /// counted by `generation` (`atLeast`); `notFound` as `article(slug:)`. A retracted
    /// article's record holds its title and notice only. One round trip.
    public func reviewRecord(slug: String, reviewers: PublicReviewers, atLeast: Int64 = 0) async throws -> PublicRead<PublicReviewRecord> {
        guard Validation.isSlug(slug) else { throw GalleyError.notFound(kind: "published article", id: slug) }
        let named = reviewers == .names
        let (generation, (row, notices, checks, claims, editor, seal)) = try await read(atLeast: atLeast) { conn in
            let (generation, row, notices, checks, claims, editor, seal) = try conn.read(
                ContentStore.generation, ContentStore.article(slug: slug), ContentStore.corrections(slug: slug),
                ReviewStore.liveChecks(slug: slug, limit: Self.reviewItemsShown, named: named, linksShown: Self.linksShown),
                ReviewStore.liveClaims(slug: slug, limit: Self.reviewItemsShown, linksShown: Self.linksShown),
                ReviewStore.liveEditor(slug: slug), AuditStore.sealCoveringLastEvent(slug: slug))
            return (generation, (row, notices, checks, claims, editor, seal))
        }
        guard let row else { throw GalleyError.notFound(kind: "published article", id: slug) }
        let article = row.article(notices: notices)
        let record: PublicReviewRecord
        if case .retracted = article.standing {
            record = PublicReviewRecord(
                article: article, checks: .init(items: [], total: 0), claims: .init(items: [], total: 0), editor: nil, seal: nil)
        } else {
            record = PublicReviewRecord(article: article, checks: checks, claims: claims, editor: editor, seal: seal)
        }
        return PublicRead(value: record, generation: generation)
    }
}
