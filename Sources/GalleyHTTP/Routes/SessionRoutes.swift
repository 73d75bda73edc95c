import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// `/v1/sessions`: an admin's view of people's live desk sessions, and ending one.
struct SessionRoutes {
    let services: GalleyServices

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.get("sessions", use: list)
        group.delete("sessions/:id", use: revoke)
    }

    /// `?actor=` names the actor by id or by name.
    @Sendable func list(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let sessions =
            if let actor = request.query("actor") {
                try await services.sessions.list(of: UUIDFormat.parse(actor).map { .id($0) } ?? .name(actor), by: caller)
            } else {
                try await services.sessions.list(by: caller)
            }
        return try Reply(.ok, ItemsDTO(items: sessions.map(SessionDTO.init)))
    }

    @Sendable func revoke(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        try await services.sessions.revoke(try request.id("id", context: context, kind: "session"), by: try context.requireCaller())
        return Response(status: .noContent)
    }
}
