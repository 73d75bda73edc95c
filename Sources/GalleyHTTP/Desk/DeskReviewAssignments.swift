import Foundation
import Galley
import GalleyCore

/// The article's open assignments and the form to assign a step, for those who manage them.
struct DeskReviewAssignments {
    let items: [Item]
    let steps: [DeskReviewPage.Option]
    let keptAssignee: String
    let keptDue: String

    struct Item {
        let id: String
        let step: String
        let assignee: String
        let due: String?
        let assignedBy: String
    }

    init(_ detail: ArticleDetail, rules: [WorkflowPolicy.Rule], kept: DeskReviewKept) {
        items = detail.assignments.map {
            Item(
                id: $0.id.lowercasedString, step: $0.step, assignee: $0.assignee, due: $0.dueAt.map(RFC3339.format),
                assignedBy: $0.assignedBy)
        }
        let keptStep = kept.value("assign", "step")
        steps = (rules.map(\.checkpoint) + [WorkQueue.approval]).map { DeskReviewPage.Option(value: $0, label: $0, selected: $0 == keptStep) }
        keptAssignee = kept.value("assign", "assignee")
        keptDue = kept.value("assign", "due")
    }
}
