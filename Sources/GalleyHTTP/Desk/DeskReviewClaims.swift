import Foundation
import Galley
import GalleyCore

/// The claims of the current revision, with the forms of those who may write claims.
struct DeskReviewClaims {
    let items: [Item]
    /// The current revision has more claims than the page shows.
    let more: Bool
    let canWrite: Bool
    let newText: String
    /// Claims were left out, or a claim's text or evidence shortened: the page says where
    /// the whole is.
    let shortened: Bool

    struct Item {
        let id: String
        let text: String
        let status: String
        let evidence: [LinkView]
        let hasEvidence: Bool
        let moreEvidence: Int?
        let formKey: String
        let keptNote: String
        let keptEvidence: String
        /// The verdicts that would change the claim's status: a verified claim is not offered
        /// "Verify claim" again.
        let verdicts: [StatusButton]
    }

    struct StatusButton {
        let status: String
        let label: String
    }

    private static let verdicts: [(ClaimStatus, String)] = [(.verified, "Verify claim"), (.disputed, "Dispute"), (.false, "Mark false")]

    /// `current`: the current revision's claims, oldest first (one more than the page shows
    /// tells that there are more).
    init(_ current: [Claim], article: Article, principal: Principal, kept: DeskReviewKept) {
        let shown = current.prefix(DeskReviewPage.shownClaims)
        items = shown.map { claim in
            let key = "claim-" + claim.id.lowercasedString
            let evidence = LinkView.shown(claim.evidence)
            return Item(
                id: claim.id.lowercasedString, text: DeskFormat.excerpt(claim.text, DeskReviewPage.shownText), status: claim.status.rawValue,
                evidence: evidence.links, hasEvidence: !evidence.links.isEmpty, moreEvidence: evidence.more, formKey: key,
                keptNote: kept.value(key, "note"), keptEvidence: kept.value(key, "evidence"),
                verdicts: Self.verdicts.filter { $0.0 != claim.status }.map { StatusButton(status: $0.0.rawValue, label: $0.1) })
        }
        shortened =
            current.count > DeskReviewPage.shownClaims
            || shown.contains { $0.text.count > DeskReviewPage.shownText || LinkView.shown($0.evidence).shortened }
        more = current.count > DeskReviewPage.shownClaims
        canWrite = principal.may(.writeClaims, onSection: article.section)
        newText = kept.value("new-claim", "text")
    }
}
