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
