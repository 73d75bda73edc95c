import Foundation

/// Who may comment and resolve, and what a comment may hold: the rules of comment threads
/// (docs/workflow.md, "Comments").
public enum CommentRules {
    public static let maxBodyCharacters = 10_000
    public static let maxQuoteCharacters = 2_000
    /// Replies a thread may hold, so that one thread always fits a page (`maxCommentsPerPage`).
    public static let maxReplies = 100
    /// Comments one page of threads holds at most; a page always holds at least one whole thread.
    public static let maxCommentsPerPage = 200

    /// A comment as its author sent it, before it meets the article.
    public struct Draft: Sendable {
        public var body: String
        public var quote: String?
        public var isReply: Bool

        public init(body: String, quote: String?, isReply: Bool) {
            self.body = body
            self.quote = quote
            self.isReply = isReply
        }
    }

    /// Every problem of the draft's own fields: sizes (in Unicode scalars, as PostgreSQL's
    /// `char_length` counts), NUL, a quote on a reply.
    public static func problems(_ draft: Draft) -> [GalleyError.FieldProblem] {
        var problems = [Validation.nulProblem("body", draft.body), Validation.nulProblem("quote", draft.quote)].compactMap { $0 }
        if draft.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || draft.body.unicodeScalars.count > maxBodyCharacters {
            problems.append(.init(field: "body", message: "must be 1 to 10,000 characters of Markdown, not only white space"))
        }
        if let quote = draft.quote {
            if draft.isReply {
                problems.append(.init(field: "quote", message: "a reply takes no quote; quote the text in a new thread instead"))
            } else if quote.isEmpty || quote.unicodeScalars.count > maxQuoteCharacters {
                problems.append(.init(field: "quote", message: "must be 1 to 2,000 characters of the revision's body"))
            }
        }
        return problems
    }

    /// The author's id, or `forbidden` unless `principal` may comment: a named person whose
    /// roles read and comment (every person's role does); services and the operator never do.
    public static func requireCommenter(_ principal: Principal) throws(GalleyError) -> UUID {
        if principal.kind == .service {
            throw .forbidden(
                permission: Permission.writeComments.rawValue,
                reason: "\(principal.name) is a service account; comments are written by people")
        }
        try principal.require(.writeComments)
        guard let id = principal.actorID else {
            throw .forbidden(permission: Permission.writeComments.rawValue, reason: "comments need a named person (--actor)")
        }
        return id
    }

    /// The resolver's id, or `forbidden` unless `principal` may resolve or reopen a thread: the
    /// author of its root (who raised the point; a reply's author did not), an editor or an admin.
    public static func requireResolver(_ principal: Principal, threadAuthor: UUID) throws(GalleyError) -> UUID {
        if let id = principal.actorID, id == threadAuthor || principal.has(.resolveComments) { return id }
        throw .forbidden(
            permission: Permission.resolveComments.rawValue,
            reason:
                "\(principal.name) did not start this thread; only its author, an editor or an admin may resolve or reopen it (a reply's author may not)"
        )
    }
}
