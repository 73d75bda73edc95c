import Foundation
import Galley
import GalleyCore

/// A transition the caller is offered now, with the fields its action needs.
struct DeskReviewAction {
    let action: String
    let label: String
    let asksReason: Bool
    let asksNotice: Bool
    let asksPublishAt: Bool
    /// Publishing text that changed since it was last live needs a public correction note.
    let asksCorrectionNote: Bool
    let reason: String
    let notice: String
    let publishAt: String
    let correctionNote: String

    init(_ action: ArticleAction, article: Article, kept: DeskReviewKept) {
        self.action = action.rawValue
        label = Self.labels[action] ?? action.rawValue
        asksReason = [.requestChanges, .unpublish, .retract, .spike].contains(action)
        asksNotice = action == .retract
        asksPublishAt = action == .schedule
        asksCorrectionNote = [.publish, .schedule].contains(action) && article.liveRevision != nil
        let key = "transition-" + action.rawValue
        reason = kept.value(key, "reason")
        notice = kept.value(key, "notice")
        publishAt = kept.value(key, "publish_at")
        correctionNote = kept.value(key, "correction_note")
    }

    static let labels: [ArticleAction: String] = [
        .submit: "Submit", .requestChanges: "Request changes", .approve: "Approve", .schedule: "Schedule", .unschedule: "Unschedule",
        .publish: "Publish", .unpublish: "Unpublish", .retract: "Retract", .spike: "Spike", .restore: "Restore",
    ]
}
