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
        group.patch("actors/:id", use: updateActor)
        group.post("actors/:id/tokens", use: issueToken)
        group.get("actors/:id/tokens", use: listTokens)
        group.get("me", use: me)
        group.delete("tokens/:id", use: revokeToken)
        group.get("workflow-policy", use: policy)
        group.put("workflow-policy", use: replacePolicy)
    }

    @Sendable func createActor(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let (input, body) = try await request.decodeJSON(ActorInput.self, context: context)
        var problems: [GalleyError.FieldProblem] = []
        let roles = Self.roles(input.roles, problems: &problems)
        let kind = ActorKind(rawValue: input.kind ?? "person")
        if kind == nil { problems.append(.init(field: "kind", message: "must be person or service")) }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        return try await idempotent(request, context: context, body: body, services: services) {
            let actor = try await services.actors.add(
                .init(name: input.name, displayName: input.display_name, kind: kind ?? .person, roles: roles), by: caller)
            return try Reply(.created, ActorDTO(actor), headers: etag(actor.version))
        }
    }

    /// The roles named, each a role; a list longer than there are roles is refused whole.
    private static func roles(_ names: [String], problems: inout [GalleyError.FieldProblem]) -> [Role] {
        if names.count > Role.allCases.count {
            problems.append(.init(field: "roles", message: "must name at most \(Role.allCases.count) roles"))
            return []
        }
        return names.compactMap { name -> Role? in
            guard let role = Role(rawValue: name) else {
                problems.append(.init(field: "roles", message: "\(name.prefix(64)) is not a role"))
                return nil
            }
            return role
        }
    }

    @Sendable func updateActor(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context, kind: "actor")
        let expected = try request.expectedVersion
        let (input, _) = try await request.decodeJSON(ActorChangeInput.self, context: context)
        var problems: [GalleyError.FieldProblem] = []
        let roles = input.roles.map { Self.roles($0, problems: &problems) }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let actor = try await services.actors.update(
            .id(id), .init(displayName: input.display_name, roles: roles, active: input.active, sections: input.sections),
            expectedVersion: expected, by: caller)
        return try Reply(.ok, ActorDTO(actor), headers: etag(actor.version))
    }

    @Sendable func me(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let actor = try await services.actors.me(by: try context.requireCaller())
        return try Reply(.ok, ActorDTO(actor), headers: etag(actor.version))
    }

    @Sendable func listActors(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        try Reply(.ok, ItemsDTO(items: try await services.actors.list(by: try context.requireCaller()).map(ActorDTO.init)))
    }

    @Sendable func issueToken(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context, kind: "actor")
        let (input, body) = try await request.decodeJSON(TokenInput.self, context: context)
        let lifetime: TokenLifetime
        switch (input.expires_in, input.expires_at) {
        case (.some, .some):
            throw GalleyError.validation([.init(field: "expires_in", message: "give expires_in or expires_at, not both")])
        case (.some(let span), nil):
            guard let parsed = TokenLifetime.parse(span) else {
                throw GalleyError.validation([.init(field: "expires_in", message: TokenLifetime.requirement)])
            }
            lifetime = parsed
        case (nil, .some(let date)): lifetime = .until(date)
        case (nil, nil): lifetime = .standard
        }
        return try await idempotent(request, context: context, body: body, services: services) {
            let issued = try await services.actors.issueToken(for: .id(id), label: input.label ?? "", lifetime: lifetime, by: caller)
            return try Reply(.created, IssuedTokenDTO(issued))
        }
    }

    @Sendable func listTokens(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context, kind: "actor")
        return try Reply(.ok, ItemsDTO(items: try await services.actors.tokens(of: .id(id), by: caller).map(TokenDTO.init)))
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
