import Foundation
import Galley
import GalleyCore

/// What the review page shows of one article, read through the services: five reads at once,
/// then the diff and the generation record, which need what those found, at once too.
struct DeskReviewReads: Sendable {
    /// Comment threads one page shows (the service also stops a page at
    /// `CommentRules.maxCommentsPerPage` comments).
    static let threadLimit = 15
    /// The newest verdicts the page reads: enough to find the one that counts for each
    /// checkpoint and the last verified revision, without reading an article's whole record.
    static let verdictLimit = 200

    let detail: ArticleDetail
    /// The checkpoints the policy requires of this article, with who may record and waive them.
    let rules: [WorkflowPolicy.Rule]
    let verifications: [Verification]
    let claims: [Claim]
    let threads: Page<CommentThread>
    let generation: Generation?
    let comparison: Comparison?

    /// Which revision the diff compares with: the caller's choice (`?against=N`), or, by
    /// default, the last revision anyone verified.
    enum Choice: Sendable, Equatable {
        case lastVerified
        case revision(Int)
        case unreadable

        init(_ query: String?) {
            guard let query, !query.isEmpty else {
                self = .lastVerified
                return
            }
            guard let number = Int(query), (1...Int(Int32.max)).contains(number) else {
                self = .unreadable
                return
            }
            self = .revision(number)
        }
    }

    /// The current revision's word diff against an earlier one, or the domain's words for why
    /// there is none.
    struct Comparison: Sendable {
        let against: Int?
        let why: String
        let segments: [WordDiff.Segment]
        let refusal: String?
    }

    static func read(_ id: UUID, against choice: Choice, services: GalleyServices, caller: Caller) async throws -> DeskReviewReads {
        async let detail = services.articles.get(id, by: caller)
        async let policy = services.policy.current(by: caller)
        async let verifications = services.review.verifications(id, newest: verdictLimit, by: caller)
        // One more than the page shows, to know whether there are more.
        async let claims = services.review.currentClaims(id, limit: DeskReviewPage.shownClaims + 1, by: caller)
        async let threads = services.comments.threads(of: id, .init(limit: threadLimit), by: caller)
        let (found, rules, verdicts) = try await (detail, policy.policy, verifications)
        let article = found.article
        async let generation = Self.generation(of: found, services: services, caller: caller)
        async let comparison = Self.compare(found, choice: choice, verifications: verdicts, services: services, caller: caller)
        return try await DeskReviewReads(
            detail: found, rules: rules.requiredCheckpoints(section: article.section, origin: article.origin), verifications: verdicts,
            claims: claims, threads: threads, generation: generation, comparison: comparison)
    }

    /// The record of the generation that drafted the current text, or the live text when a
    /// person has edited it since.
    private static func generation(of detail: ArticleDetail, services: GalleyServices, caller: Caller) async throws -> Generation? {
        guard let id = detail.current.generationID ?? detail.live?.generationID else { return nil }
        return try await services.generations.get(id, by: caller)
    }

    private static func compare(
        _ detail: ArticleDetail, choice: Choice, verifications: [Verification], services: GalleyServices, caller: Caller
    ) async throws -> Comparison? {
        let current = detail.current.number
        let against: Int
        let why: String
        switch choice {
        case .unreadable:
            return Comparison(against: nil, why: "", segments: [], refusal: "Choose the revision to compare with by its number, e.g. 1.")
        case .revision(let number):
            (against, why) = (number, "the revision you chose")
        case .lastVerified:
            if let verified = verifications.filter({ $0.revision < current && $0.verdict == .passed }).map(\.revision).max() {
                (against, why) = (verified, "the last revision anyone verified")
            } else if current > 1 {
                (against, why) = (current - 1, "the previous revision; no earlier one was verified")
            } else {
                return nil
            }
        }
        do {
            let segments = try await services.articles.diff(detail.article.id, number: current, against: against, by: caller)
            return Comparison(against: against, why: why, segments: segments, refusal: nil)
        } catch let error as GalleyError {
            switch error {
            case .tooLargeToDiff, .notFound: return Comparison(against: against, why: why, segments: [], refusal: error.message)
            default: throw error
            }
        }
    }
}
