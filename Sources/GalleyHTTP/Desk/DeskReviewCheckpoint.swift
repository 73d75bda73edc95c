import Foundation
import Galley
import GalleyCore

/// One required checkpoint on the current revision: where it stands, the verdict that counts
/// (its note and evidence), and the verdicts the caller is offered.
struct DeskReviewCheckpoint {
    let name: String
    let status: String
    let by: String?
    let at: String?
    let note: String?
    let evidence: [LinkView]
    let hasEvidence: Bool
    let moreEvidence: Int?
    /// The note or the evidence was shortened: the API's checkpoints have them whole.
    let shortened: Bool
    /// The verdicts the caller may record that would change the checkpoint's status (a
    /// passed checkpoint is offered "Fail", not "Pass" again).
    let offersPass: Bool
    let offersFail: Bool
    let offersWaive: Bool
    let hasForm: Bool
    let keptNote: String
    let keptEvidence: String

    init(
        _ status: CheckpointStatus, rule: WorkflowPolicy.Rule?, article: Article, revision: Revision, verifications: [Verification],
        principal: Principal, kept: DeskReviewKept
    ) {
        name = status.checkpoint
        self.status = status.status == .pending ? "missing" : status.status.rawValue
        by = status.by
        at = status.at.map(RFC3339.format)
        let counting = verifications.last {
            $0.checkpoint == status.checkpoint && $0.contentHash == revision.content.contentHash && $0.actor == status.by
                && status.status != .pending
        }
        let wholeNote = counting?.note ?? ""
        note = wholeNote.isEmpty ? nil : DeskFormat.excerpt(wholeNote, DeskReviewPage.shownText)
        let shown = LinkView.shown(counting?.evidence ?? [])
        evidence = shown.links
        hasEvidence = !evidence.isEmpty
        moreEvidence = shown.more
        shortened = wholeNote.count > DeskReviewPage.shownText || shown.shortened
        let roles = principal.effectiveRoles
        let records = principal.may(.recordVerification, onSection: article.section)
        func offers(_ verdict: Verdict, unless current: CheckpointStatus.Status) -> Bool {
            records && status.status != current
                && rule.map { VerdictRules.offers(verdict, rule: $0, origin: article.origin, roles: roles) } == true
        }
        offersPass = offers(.passed, unless: .passed)
        offersFail = offers(.failed, unless: .failed)
        offersWaive = offers(.waived, unless: .waived)
        hasForm = offersPass || offersFail || offersWaive
        keptNote = kept.value("checkpoint-" + name, "note")
        keptEvidence = kept.value("checkpoint-" + name, "evidence")
    }
}
