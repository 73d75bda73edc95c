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
    let canPass: Bool
    let canWaive: Bool
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
        note = counting.flatMap { $0.note.isEmpty ? nil : $0.note }
        evidence = (counting?.evidence ?? []).map { LinkView(url: $0.url, text: $0.url, detail: $0.note) }
        hasEvidence = !evidence.isEmpty
        let roles = principal.effectiveRoles
        let records = principal.has(.recordVerification) && principal.covers(section: article.section)
        canPass = records && rule.map { VerdictRules.offers(.passed, rule: $0, origin: article.origin, roles: roles) } == true
        canWaive = records && rule.map { VerdictRules.offers(.waived, rule: $0, origin: article.origin, roles: roles) } == true
        hasForm = canPass || canWaive
        keptNote = kept.value("checkpoint-" + name, "note")
        keptEvidence = kept.value("checkpoint-" + name, "evidence")
    }
}
