import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// Admin resources: actors, tokens, the workflow policy.
struct AdminRoutes {
    let services: GalleyServices

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.post("actors", use: createActor)
        group.get("actors", use: listActors)
        group.post("actors/:id/tokens", use: issueToken)
        group.delete("tokens/:id", use: revokeToken)
        group.get("workflow-policy", use: policy)
        group.put("workflow-policy", use: replacePolicy)
    }

    @Sendable func createActor(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let (input, body) = try await request.decodeJSON(ActorInput.self, context: context)
        var problems: [GalleyError.FieldProblem] = []
        let roles = input.roles.compactMap { name -> Role? in
            guard let role = Role(rawValue: name) else {
                problems.append(.init(field: "roles", message: "\(name) is not a role"))
                return nil
            }
            return role
        }
        let kind = ActorKind(rawValue: input.kind ?? "person")
        if kind == nil { problems.append(.init(field: "kind", message: "must be person or service")) }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        return try await idempotent(request, context: context, body: body, services: services) {
            let actor = try await services.actors.add(
                .init(name: input.name, displayName: input.display_name, kind: kind ?? .person, roles: roles), by: caller)
            return try Reply(.created, ActorDTO(actor))
        }
    }

    @Sendable func listActors(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        try Reply(.ok, ItemsDTO(items: try await services.actors.list(by: try context.requireCaller()).map(ActorDTO.init)))
    }

    @Sendable func issueToken(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context, kind: "actor")
        let (input, body) = try await request.decodeJSON(TokenInput.self, context: context)
        return try await idempotent(request, context: context, body: body, services: services) {
            let issued = try await services.actors.issueToken(for: .id(id), expiresAt: input.expires_at, by: caller)
            return try Reply(.created, IssuedTokenDTO(id: issued.id.wire, token: issued.token, expires_at: issued.expiresAt))
        }
    }

    @Sendable func revokeToken(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        try await services.actors.revokeToken(try request.id("id", context: context, kind: "token"), by: try context.requireCaller())
        return Response(status: .noContent)
    }

    @Sendable func policy(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let (version, policy) = try await services.policy.current(by: try context.requireCaller())
        return try Reply(.ok, PolicyDTO(version: version, policy: policy), headers: etag(version))
    }

    @Sendable func replacePolicy(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let expected = try request.expectedVersion
        let (input, _) = try await request.decodeJSON(PolicyDTO.self, context: context)
        let (version, policy) = try await services.policy.replace(with: try input.policy(), expectedVersion: expected, by: caller)
        return try Reply(.ok, PolicyDTO(version: version, policy: policy), headers: etag(version))
    }
}
