import Foundation
import GalleyCore
import Postgres

/// Comment threads on articles: people talk about a sentence, a claim or the whole draft
/// (docs/workflow.md, "Comments"). Comments change no article: they move no version.
public struct CommentService: Sendable {
    let env: GalleyEnvironment

    public struct NewComment: Sendable {
        public var body: String
        /// The revision commented on; nil means the current one.
        public var revision: Int?
        public var quote: String?
        public var claimID: UUID?
        public var parentID: UUID?

        public init(body: String, revision: Int? = nil, quote: String? = nil, claimID: UUID? = nil, parentID: UUID? = nil) {
            self.body = body
            self.revision = revision
            self.quote = quote
            self.claimID = claimID
            self.parentID = parentID
        }
    }

    /// Adds a comment: a new thread, or a reply to a thread's root.
    public func add(_ new: NewComment, on articleID: UUID, by caller: Caller) async throws -> Comment {
        let principal = caller.principal
        let authorID = try CommentRules.requireCommenter(principal)
        var problems = CommentRules.problems(.init(body: new.body, quote: new.quote, isReply: new.parentID != nil))
        if let problem = Validation.revisionProblem("revision", new.revision) { problems.append(problem) }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let commentID = env.newID()
        let now = env.now()
        return try await env.transaction { conn in
            if let parentID = new.parentID { try CommentStore.lockThread(conn, parentID: parentID, articleID: articleID) }
            let anchor = try CommentStore.anchor(
                conn, articleID: articleID, revision: new.revision, quote: new.quote, claimID: new.claimID, parentID: new.parentID)
            let revision = try Self.check(anchor, of: new)
            try CommentStore.insert(
                conn,
                .init(
                    id: commentID, articleID: articleID, revision: revision, parentID: new.parentID, quote: new.quote,
                    claimID: new.claimID, body: new.body, authorID: authorID, at: now))
            var details: [String: JSONValue] = [
                "comment_id": .string(commentID.lowercasedString), "thread_id": .string((new.parentID ?? commentID).lowercasedString),
                "body": .string(new.body),
            ]
            if let parentID = new.parentID { details["parent_id"] = .string(parentID.lowercasedString) }
            if let quote = new.quote { details["quote"] = .string(quote) }
            if let claimID = new.claimID { details["claim_id"] = .string(claimID.lowercasedString) }
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.chain(article: articleID), principal: principal, action: "comment.added", articleID: articleID,
                    revision: revision, details: .object(details), requestID: caller.requestID, at: now))
            return try CommentStore.fetch(conn, id: commentID, articleID: articleID)
        }
    }

    /// The revision the comment goes on, or every way its anchor does not hold.
    private static func check(_ anchor: CommentStore.Anchor, of new: NewComment) throws -> Int {
        guard let revision = anchor.revision else {
            throw GalleyError.validation([
                .init(field: "revision", message: "the article has revisions 1 to \(anchor.currentRevision); name one of them or leave it out")
            ])
        }
        var problems: [GalleyError.FieldProblem] = []
        if new.quote != nil, !anchor.quoteFound {
            problems.append(
                .init(field: "quote", message: "does not occur in the body of revision \(revision); quote its text exactly, as it stands"))
        }
        if new.claimID != nil, !anchor.claimFound {
            problems.append(.init(field: "claim_id", message: "is not a claim of this article; GET its claims for their ids"))
        }
        if new.parentID != nil {
            if !anchor.parentFound {
                problems.append(.init(field: "parent_id", message: "is not a comment on this article"))
            } else if !anchor.parentIsRoot {
                problems.append(.init(field: "parent_id", message: "is a reply; replies are one level deep, so reply to its thread's root"))
            } else if anchor.parentReplies >= CommentRules.maxReplies {
                problems.append(
                    .init(field: "parent_id", message: "the thread has \(CommentRules.maxReplies) replies, its limit; start a new thread"))
            }
        }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        return revision
    }

    /// Resolves or reopens the thread of `commentID` (a root, or a reply naming its thread);
    /// returns the thread's root. Asking for the state it is already in changes nothing.
    public func setResolved(_ resolved: Bool, comment commentID: UUID, on articleID: UUID, by caller: Caller) async throws -> Comment {
        let principal = caller.principal
        let now = env.now()
        return try await env.transaction { conn in
            let named = try CommentStore.fetch(conn, id: commentID, articleID: articleID)
            let root = try named.parentID.map { try CommentStore.fetch(conn, id: $0, articleID: articleID) } ?? named
            let actorID = try CommentRules.requireResolver(principal, threadAuthor: root.author.id)
            guard try CommentStore.setResolved(conn, rootID: root.id, resolved: resolved, by: actorID, at: now) else { return root }
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.chain(article: articleID), principal: principal, action: "comment.resolved", articleID: articleID,
                    revision: root.revision,
                    details: [
                        "comment_id": .string(commentID.lowercasedString), "thread_id": .string(root.id.lowercasedString),
                        "resolved": .bool(resolved),
                    ],
                    requestID: caller.requestID, at: now))
            return try CommentStore.fetch(conn, id: root.id, articleID: articleID)
        }
    }

    public struct ListQuery: Sendable {
        public var resolved: Bool?
        /// Threads per page; a page also stops at `CommentRules.maxCommentsPerPage` comments.
        public var limit = 50
        public var cursor: String?
        public init(resolved: Bool? = nil, limit: Int = 50, cursor: String? = nil) {
            self.resolved = resolved
            self.limit = limit
            self.cursor = cursor
        }
    }

    /// One page of the article's threads, oldest first. A page holds at most `limit` threads
    /// and, beyond its first thread, at most `CommentRules.maxCommentsPerPage` comments.
    public func threads(of articleID: UUID, _ query: ListQuery, by caller: Caller) async throws -> Page<CommentThread> {
        try caller.principal.require(.readArticles)
        let limit = min(max(query.limit, 1), 200)
        let after = try query.cursor.map(ListCursor.decode)
        return try await env.transaction(isolation: .readOnlySnapshot, recordsEvents: false) { conn in
            _ = try ArticleStore.fetch(conn, id: articleID)
            let found = try CommentStore.roots(conn, articleID: articleID, resolved: query.resolved, after: after, limit: limit + 1)
            var roots: [Comment] = []
            var comments = 0
            for (root, replies) in found.prefix(limit) {
                if !roots.isEmpty, comments + 1 + replies > CommentRules.maxCommentsPerPage { break }
                roots.append(root)
                comments += 1 + replies
            }
            let replies = Dictionary(grouping: try CommentStore.replies(conn, rootIDs: roots.map(\.id)), by: \.parentID)
            let threads = roots.map { CommentThread(root: $0, replies: replies[$0.id] ?? []) }
            let more = roots.count < found.count
            return Page(items: threads, nextCursor: more ? roots.last.map { ListCursor.encode($0.createdAt, $0.id) } : nil)
        }
    }
}
