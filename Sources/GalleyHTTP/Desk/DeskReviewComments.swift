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
    /// A comment was shortened or replies left out: the API's comments have them whole.
    let shortened: Bool

    /// The most replies one thread shows under its first comment.
    static let shownReplies = 5

    struct Thread {
        let id: String
        let quote: String?
        let outdated: Bool
        let resolved: Bool
        let resolvedBy: String?
        let comments: [Entry]
        let moreReplies: Int?
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
                id: root.id.lowercasedString, quote: root.quote.map { DeskFormat.excerpt($0, DeskReviewPage.shownText) },
                outdated: root.outdated, resolved: root.resolvedAt != nil, resolvedBy: root.resolvedBy?.displayName,
                comments: ([root] + thread.replies.prefix(Self.shownReplies)).map {
                    Entry(
                        author: $0.author.displayName, at: RFC3339.format($0.createdAt), revision: $0.revision,
                        body: DeskFormat.excerpt($0.body, DeskReviewPage.shownText))
                },
                moreReplies: thread.replies.count > Self.shownReplies ? thread.replies.count - Self.shownReplies : nil,
                // Replies to a resolved thread are allowed and leave it resolved (docs/workflow.md).
                canReply: commenter,
                canResolve: (try? CommentRules.requireResolver(principal, threadAuthor: root.author.id)) != nil, formKey: key,
                keptReply: kept.value(key, "body"))
        }
        shortened = page.items.contains { thread in
            thread.replies.count > Self.shownReplies
                || ([thread.root] + thread.replies).contains {
                    $0.body.count > DeskReviewPage.shownText || ($0.quote?.count ?? 0) > DeskReviewPage.shownText
                }
        }
        more = page.nextCursor != nil
        canComment = commenter
        newBody = kept.value("new-thread", "body")
        newQuote = kept.value("new-thread", "quote")
    }
}
