import Foundation
import GalleyCore
import Postgres

/// What the caller can do next: the open steps they may take (`WorkQueue`, `queue_steps`),
/// those assigned to them first, then unassigned ones; overdue first, then oldest first.
public struct QueueService: Sendable {
    let env: GalleyEnvironment

    public struct Query: Sendable {
        /// A checkpoint's name, `approval`, `changes` or `publish`.
        public var waitingFor: String?
        public var section: String?
        public var assigned: QueueAssigned = .mineAndUnassigned
        public var limit: Int = 50
        public var cursor: String?
        public init() {}
    }

    public func page(_ query: Query, by caller: Caller) async throws -> Page<QueueItem> {
        let principal = caller.principal
        try principal.require(.readArticles)
        guard let actorID = principal.actorID else {
            throw GalleyError.forbidden(permission: Permission.readArticles.rawValue, reason: "a queue is a named actor's")
        }
        var problems: [GalleyError.FieldProblem] = []
        if let step = query.waitingFor, !Validation.isIdentifier(step) || step.count > 100 {
            problems.append(.init(field: "waiting_for", message: "must be a checkpoint's name, approval, changes or publish"))
        }
        if let section = query.section, !Validation.isSlug(section) {
            problems.append(.init(field: "section", message: "must be a lowercase slug such as politics"))
        }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let limit = min(max(query.limit, 1), 200)
        let cursor = try query.cursor.map(QueueCursor.decode)
        let taker = QueueStore.Taker(
            actorID: actorID, name: principal.name, roles: principal.effectiveRoles.map(\.rawValue).sorted(),
            isPerson: principal.kind == .person, sections: principal.sections.sorted())
        let filter = QueueStore.Filter(waitingFor: query.waitingFor, section: query.section, assigned: query.assigned)
        // Every page of one walk tells overdue from the first page's time, so a step falling due
        // meanwhile does not move behind the cursor and go unseen.
        let now = cursor?.asOf ?? env.now()
        let entries = try await env.replicaQuery(
            QueueStore.page(for: taker, filter, now: now, after: cursor?.position, limit: limit + 1), for: caller)
        let page = entries.prefix(limit)
        let next = entries.count > limit ? page.last.map { QueueCursor.encode($0.position, asOf: now) } : nil
        return Page(items: page.map(QueueItem.init), nextCursor: next)
    }
}

/// Which steps a queue shows by who they are assigned to.
public enum QueueAssigned: String, Sendable, CaseIterable {
    /// Assigned to the caller.
    case me
    /// Assigned to nobody.
    case unassigned
    /// Either of those (the default).
    case mineAndUnassigned = "mine_and_unassigned"
    /// Assigned to anyone or nobody.
    case any
}

/// One step in a caller's queue.
public struct QueueItem: Sendable {
    public let articleID: UUID
    public let title: String
    public let section: String
    public let origin: Origin
    public let state: ArticleState
    /// A checkpoint's name, `approval`, `changes` or `publish`.
    public let waitingFor: String
    public let assignedTo: (id: UUID, name: String)?
    public let dueAt: Date?
    public let overdue: Bool
    public let waitingSince: Date

    init(_ entry: QueueEntry) {
        articleID = entry.position.articleID
        title = entry.title
        section = entry.section
        origin = entry.origin
        state = entry.state
        waitingFor = entry.position.step
        assignedTo = both(entry.assigneeID, entry.assigneeName).map { (id: $0, name: $1) }
        dueAt = entry.dueAt
        overdue = entry.position.overdue
        waitingSince = entry.position.waitingSince
    }
}

/// Opaque queue cursors: the sort key of the last item seen, and the time the walk's first
/// page was read at.
enum QueueCursor {
    static func encode(_ position: QueueStore.Position, asOf: Date) -> String {
        let fields = [
            String(position.rank), position.overdue ? "1" : "0", RFC3339.format(position.waitingSince), position.articleID.lowercasedString,
            position.step, RFC3339.format(asOf),
        ]
        return Data(fields.joined(separator: "|").utf8).base64EncodedString()
    }

    static func decode(_ cursor: String) throws -> (position: QueueStore.Position, asOf: Date) {
        let refused = GalleyError.validation([.init(field: "cursor", message: "is not a cursor this server issued")])
        guard cursor.utf8.count <= 400, let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8) else {
            throw refused
        }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, let rank = Int(parts[0]), (0...2).contains(rank), ["0", "1"].contains(parts[1]),
            let since = RFC3339.parse(parts[2]), let id = UUIDFormat.parse(parts[3]), Validation.isIdentifier(parts[4]),
            let asOf = RFC3339.parse(parts[5])
        else { throw refused }
        return (QueueStore.Position(rank: rank, overdue: parts[1] == "1", waitingSince: since, articleID: id, step: parts[4]), asOf)
    }
}

/// `(a, b)` when both are there.
private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
