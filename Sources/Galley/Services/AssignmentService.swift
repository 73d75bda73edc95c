import Foundation
import GalleyCore
import Postgres

/// Asking a named person to take a step of an article, and taking the request back. Steps are
/// checkpoints the policy requires of the article, or its approval; doing the step ends the
/// assignment (`WorkQueue.assignmentsEnded`, `ReviewService.record`).
public struct AssignmentService: Sendable {
    let env: GalleyEnvironment

    public struct NewAssignment: Sendable {
        /// A checkpoint's name or `approval`.
        public var step: String
        /// The assignee's name or id.
        public var assignee: String
        public var dueAt: Date?

        public init(step: String, assignee: String, dueAt: Date? = nil) {
            self.step = step
            self.assignee = assignee
            self.dueAt = dueAt
        }
    }

    /// Assigns the step, replacing its open assignment. Refused (422) with every reason when the
    /// assignee could not do the step.
    public func assign(_ new: NewAssignment, on id: UUID, expectedVersion: ExpectedVersion? = nil, by caller: Caller) async throws -> Assignment {
        try caller.principal.require(.assignSteps)
        try Self.validate(new)
        let now = env.now()
        let assignmentID = env.newID()
        let known = env.articleReads.knownRevisions(of: id)
        return try await env.transaction { conn in
            // The assignee first, held, as switching them off holds them before their articles.
            let (found, facts) = try conn.read(
                after: [QueueStore.holdingOffRefresh], ActorStore.sharing(namedOrIdentified: new.assignee),
                ArticleDetailStore.lockedFacts(id, known: known))
            let detail = facts.detail
            guard let assignee = found else {
                throw GalleyError.validation([.init(field: "assignee", message: "no actor is named or has the id \(new.assignee)")])
            }
            try expectedVersion?.check(detail.article.version)
            try caller.principal.requireDesk(detail.article.section, for: .assignSteps)
            try Self.check(new, assignee: assignee, on: detail, policy: facts.policy)
            let event = AuditEntry(
                chain: AuditEntry.chain(article: id), principal: caller.principal, action: "assignment.created", articleID: id,
                revision: detail.current.number, fromState: detail.article.state.rawValue, toState: detail.article.state.rawValue,
                details: [
                    "assignment_id": .string(assignmentID.lowercasedString), "step": .string(new.step), "assignee": .string(assignee.name),
                    "due_at": new.dueAt.map { .string(RFC3339.format($0)) } ?? .null,
                ],
                requestID: caller.requestID, at: now)
            let (_, _, assignment, _) = try conn.readCommitting(
                ArticleStore.touching(id, at: now), AssignmentStore.replacing(articleID: id, step: new.step, at: now),
                AssignmentStore.inserting(
                    id: assignmentID, articleID: id, step: new.step, assigneeID: assignee.id, dueAt: new.dueAt,
                    assignedBy: caller.principal.name, at: now),
                AuditStore.appending(event))
            return assignment
        }
    }

    /// Ends an open assignment as removed.
    public func remove(_ assignmentID: UUID, on id: UUID, expectedVersion: ExpectedVersion? = nil, by caller: Caller) async throws {
        try caller.principal.require(.assignSteps)
        let now = env.now()
        try await env.transaction { conn in
            let (article, removed) = try conn.read(ArticleStore.touching(id, at: now), AssignmentStore.removing(assignmentID, articleID: id, at: now))
            try expectedVersion?.check(article.version - 1)
            try caller.principal.requireDesk(article.section, for: .assignSteps)
            guard let removed else { throw GalleyError.notFound(kind: "open assignment", id: assignmentID.lowercasedString) }
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.chain(article: id), principal: caller.principal, action: "assignment.removed", articleID: id,
                    revision: article.currentRevision, fromState: article.state.rawValue, toState: article.state.rawValue,
                    details: [
                        "assignment_id": .string(assignmentID.lowercasedString), "step": .string(removed.step),
                        "assignee": .string(removed.assignee),
                    ],
                    requestID: caller.requestID, at: now))
        }
    }

    private static func validate(_ new: NewAssignment) throws {
        var problems: [GalleyError.FieldProblem] = []
        if !Validation.isIdentifier(new.step) || new.step.count > 100 {
            problems.append(.init(field: "checkpoint", message: "must be a checkpoint's name (lower_snake_case) or approval"))
        }
        if let nul = Validation.nulProblem("assignee", new.assignee) {
            problems.append(nul)
        } else if new.assignee.isEmpty || new.assignee.count > 200 {
            problems.append(.init(field: "assignee", message: "must be an actor's name or id (1 to 200 characters)"))
        }
        if let dueAt = new.dueAt, !RFC3339.isStorable(dueAt) {
            problems.append(.init(field: "due_at", message: RFC3339.requirement))
        }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
    }

    /// Refuses a step the article does not have or that is done on its current revision
    /// (`WorkQueue.closed`), and an assignee who could not take it, with every reason
    /// (`AssignmentRules`).
    private static func check(_ new: NewAssignment, assignee: Actor, on detail: ArticleDetail, policy: WorkflowPolicy) throws {
        let article = detail.article
        let required = policy.requiredCheckpoints(section: article.section, origin: article.origin)
        var rule: WorkflowPolicy.Rule?
        if new.step != WorkQueue.approval {
            rule = required.first { $0.checkpoint == new.step }
            guard rule != nil else {
                let steps = (required.map(\.checkpoint) + [WorkQueue.approval]).joined(separator: ", ")
                throw GalleyError.validation([
                    .init(field: "checkpoint", message: "\(new.step) is not a step of this article; use one of \(steps)")
                ])
            }
        }
        if let closed = WorkQueue.closed(new.step, checkpoints: detail.checkpoints, revision: detail.current.number) {
            throw GalleyError.validation([
                .init(field: "checkpoint", message: "\(closed): nothing is left to do on it until a new revision")
            ])
        }
        let principal = assignee.principal
        let waived = detail.checkpoints.filter { $0.status == .waived && $0.by == assignee.name }.map(\.checkpoint)
        let problems = AssignmentRules.problems(
            step: rule,
            .init(
                assignee: principal, active: assignee.active, section: article.section, origin: article.origin, state: article.state,
                revision: detail.current.number, isAuthor: detail.current.authorID == assignee.id, waivedByAssignee: waived))
        if !problems.isEmpty {
            throw GalleyError.validation([
                .init(field: "assignee", message: "\(assignee.name) cannot take \(new.step): " + problems.joined(separator: "; "))
            ])
        }
    }
}
