import Foundation
import Galley
import GalleyCore

/// The claims of the current revision, with the forms of those who may write claims.
struct DeskReviewClaims {
    let items: [Item]
    let more: Int?
    /// Claims made on earlier revisions, which no longer count for this one.
    let earlier: Int?
    let canWrite: Bool
    let newText: String

    struct Item {
        let id: String
        let text: String
        let status: String
        let evidence: [LinkView]
        let hasEvidence: Bool
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

    init(_ claims: [Claim], article: Article, revision: Int, principal: Principal, kept: DeskReviewKept) {
        let current = claims.filter { $0.revision == revision }
        items = current.prefix(DeskReviewPage.shownClaims).map { claim in
            let key = "claim-" + claim.id.lowercasedString
            return Item(
                id: claim.id.lowercasedString, text: claim.text, status: claim.status.rawValue,
                evidence: claim.evidence.map { LinkView(url: $0.url, text: $0.url, detail: $0.note) },
                hasEvidence: !claim.evidence.isEmpty, formKey: key,
                keptNote: kept.value(key, "note"), keptEvidence: kept.value(key, "evidence"),
                verdicts: Self.verdicts.filter { $0.0 != claim.status }.map { StatusButton(status: $0.0.rawValue, label: $0.1) })
        }
        more = current.count > DeskReviewPage.shownClaims ? current.count - DeskReviewPage.shownClaims : nil
        earlier = claims.count > current.count ? claims.count - current.count : nil
        canWrite = principal.has(.writeClaims) && principal.covers(section: article.section)
        newText = kept.value("new-claim", "text")
    }
}
