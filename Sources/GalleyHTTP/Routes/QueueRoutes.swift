import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// Assignments of an article's steps, and the caller's work queue.
struct QueueRoutes {
    let services: GalleyServices

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.post("articles/:id/assignments", use: assign)
        group.delete("articles/:id/assignments/:assignment_id", use: unassign)
        group.get("queue", use: queue)
    }

    @Sendable func assign(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context)
        let expected = try request.expectedVersion
        let (input, body) = try await request.decodeJSON(AssignmentInput.self, context: context)
        return try await idempotent(request, context: context, body: body, services: services) {
            let assignment = try await services.assignments.assign(
                .init(step: input.checkpoint, assignee: input.assignee, dueAt: input.due_at), on: id, expectedVersion: expected, by: caller)
            return try Reply(.created, AssignmentDTO(assignment))
        }
    }

    @Sendable func unassign(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context)
        let assignmentID = try request.id("assignment_id", context: context, kind: "assignment")
        try await services.assignments.remove(assignmentID, on: id, expectedVersion: try request.expectedVersion, by: caller)
        return Response(status: .noContent)
    }

    @Sendable func queue(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        var query = QueueService.Query()
        query.waitingFor = request.typedQuery("waiting_for")
        query.section = request.query("section")
        query.assigned = try request.query("assigned", as: QueueAssignedParameter.self)?.assigned ?? .mineAndUnassigned
        query.limit = try request.limit()
        query.cursor = request.query("cursor")
        let page = try await services.queue.page(query, by: caller)
        return try Reply(.ok, ListDTO(items: page.items.map(QueueItemDTO.init), next_cursor: page.nextCursor))
    }
}

struct AssignmentInput: Decodable, Sendable {
    var checkpoint: String
    var assignee: String
    var due_at: Date?
}

/// `assigned=`: `me`, `unassigned` or `any`; absent shows the caller's and unassigned steps.
enum QueueAssignedParameter: String {
    case me, unassigned, any

    var assigned: QueueAssigned {
        switch self {
        case .me: .me
        case .unassigned: .unassigned
        case .any: .any
        }
    }
}
