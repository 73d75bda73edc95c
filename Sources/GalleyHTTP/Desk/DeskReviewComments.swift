import Foundation
import Galley
import GalleyCore

/// The article's comment threads, each with its quote, and the forms the caller may use.
struct DeskReviewComments {
    let threads: [Thread]
    /// Threads beyond the page's limit exist.
    let more: Bool
    let canComment: Bool
    let newBody: String
    let newQuote: String

    struct Thread {
        let id: String
        let quote: String?
        let outdated: Bool
        let resolved: Bool
        let resolvedBy: String?
        let comments: [Entry]
        let canReply: Bool
        let canResolve: Bool
        let formKey: String
        let keptReply: String
    }

    struct Entry {
        let author: String
        let at: String
        let revision: Int
        let body: String
    }

    init(_ page: Page<CommentThread>, principal: Principal, kept: DeskReviewKept) {
        let commenter = (try? CommentRules.requireCommenter(principal)) != nil
        threads = page.items.map { thread in
            let root = thread.root
            let key = "reply-" + root.id.lowercasedString
            return Thread(
                id: root.id.lowercasedString, quote: root.quote, outdated: root.outdated, resolved: root.resolvedAt != nil,
                resolvedBy: root.resolvedBy?.displayName,
                comments: ([root] + thread.replies).map {
                    Entry(author: $0.author.displayName, at: RFC3339.format($0.createdAt), revision: $0.revision, body: $0.body)
                },
                canReply: commenter && root.resolvedAt == nil,
                canResolve: (try? CommentRules.requireResolver(principal, threadAuthor: root.author.id)) != nil, formKey: key,
                keptReply: kept.value(key, "body"))
        }
        more = page.nextCursor != nil
        canComment = commenter
        newBody = kept.value("new-thread", "body")
        newQuote = kept.value("new-thread", "quote")
    }
}

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
