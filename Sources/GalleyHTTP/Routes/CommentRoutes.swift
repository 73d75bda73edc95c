import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// An article's comment threads (docs/workflow.md, "Comments").
struct CommentRoutes {
    let services: GalleyServices

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.get("articles/:id/comments", use: list)
        group.post("articles/:id/comments", use: add)
        group.patch("articles/:id/comments/:comment_id", use: resolve)
    }

    @Sendable func list(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let id = try request.id("id", context: context)
        let query = CommentService.ListQuery(resolved: try request.queryBool("resolved"), limit: try request.limit(), cursor: request.query("cursor"))
        let page = try await services.comments.threads(of: id, query, by: try context.requireCaller())
        return try Reply(.ok, ListDTO(items: page.items.map(CommentDTO.init), next_cursor: page.nextCursor))
    }

    @Sendable func add(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context)
        let (input, body) = try await request.decodeJSON(CommentInput.self, context: context)
        let new = CommentService.NewComment(
            body: input.body, revision: input.revision, quote: input.quote, claimID: try Self.uuid(input.claim_id, field: "claim_id"),
            parentID: try Self.uuid(input.parent_id, field: "parent_id"))
        return try await idempotent(request, context: context, body: body, services: services) {
            try Reply(.created, CommentDTO(try await services.comments.add(new, on: id, by: caller)))
        }
    }

    @Sendable func resolve(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context)
        let commentID = try request.id("comment_id", context: context, kind: "comment")
        let (input, _) = try await request.decodeJSON(CommentPatch.self, context: context)
        return try Reply(.ok, CommentDTO(try await services.comments.setResolved(input.resolved, comment: commentID, on: id, by: caller)))
    }

    private static func uuid(_ text: String?, field: String) throws -> UUID? {
        guard let text else { return nil }
        guard let id = UUIDFormat.parse(text) else { throw Problem.invalid(field, "must be a UUID") }
        return id
    }
}
