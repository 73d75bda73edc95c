import Foundation
import GalleyCore
import Postgres

/// Actors: who they are, what they may do, on which desk, and whether they may act at all.
/// Their tokens and turning a bearer token back into an actor: `ActorService+Tokens.swift`.
public struct ActorService: Sendable {
    let env: GalleyEnvironment

    public struct NewActor: Sendable {
        public var name: String
        public var displayName: String?
        public var kind: ActorKind
        public var roles: [Role]
        public init(name: String, displayName: String? = nil, kind: ActorKind, roles: [Role]) {
            self.name = name
            self.displayName = displayName
            self.kind = kind
            self.roles = roles
        }
    }

    public enum ActorReference: Sendable, CustomStringConvertible {
        case id(UUID)
        case name(String)

        public var description: String {
            switch self {
            case .id(let id): id.lowercasedString
            case .name(let name): name
            }
        }
    }

    public func add(_ new: NewActor, by caller: Caller) async throws -> Actor {
        try caller.principal.require(.manageActors)
        var problems: [GalleyError.FieldProblem] = []
        if !Validation.isActorName(new.name) {
            problems.append(.init(field: "name", message: "must be lowercase letters, digits, '.', '_' or '-', at most 64"))
        }
        problems += Self.roleProblems(kind: new.kind, roles: new.roles)
        let displayName = new.displayName?.trimmingWhiteSpace().nonEmpty
        if let displayName { problems += Self.displayNameProblems(displayName) }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let id = env.newID()
        let now = env.now()
        let roles = Array(Set(new.roles)).sorted()
        return try await env.transaction { conn in
            let actor = try ActorStore.insert(
                conn, id: id, name: new.name, displayName: displayName ?? new.name, kind: new.kind, roles: roles, at: now)
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.systemChain, principal: caller.principal, action: "actor.created",
                    details: [
                        "actor": .string(actor.name), "kind": .string(actor.kind.rawValue),
                        "roles": .array(roles.map { .string($0.rawValue) }),
                    ],
                    requestID: caller.requestID, at: now))
            return actor
        }
    }

    /// What a role set must be for an actor of `kind`: at creation and at every change.
    static func roleProblems(kind: ActorKind, roles: [Role]) -> [GalleyError.FieldProblem] {
        var problems: [GalleyError.FieldProblem] = []
        if roles.isEmpty { problems.append(.init(field: "roles", message: "must name at least one role")) }
        if kind == .service, roles.contains(where: { !$0.isServiceRole }) {
            problems.append(.init(field: "roles", message: "a service may hold only ai_agent and publisher: services never verify or approve"))
        }
        if kind == .person, roles.contains(where: \.isServiceRole) {
            problems.append(.init(field: "roles", message: "ai_agent and publisher are for service accounts (--service)"))
        }
        return problems
    }

    static func displayNameProblems(_ displayName: String) -> [GalleyError.FieldProblem] {
        if let nul = Validation.nulProblem("display_name", displayName) { return [nul] }
        return displayName.count > 200 ? [.init(field: "display_name", message: "must be at most 200 characters")] : []
    }

    public func list(by caller: Caller) async throws -> [Actor] {
        try caller.principal.require(.manageActors)
        return try await env.read { conn in try ActorStore.list(conn) }
    }

    /// A page of actors by name, after `cursor` (a page's `nextCursor`).
    public func page(cursor: String?, limit: Int, by caller: Caller) async throws -> Page<Actor> {
        try caller.principal.require(.manageActors)
        if let cursor, !Validation.isActorName(cursor) {
            throw GalleyError.validation([.init(field: "cursor", message: "is not a cursor this server issued")])
        }
        let limit = min(max(limit, 1), 500)
        let rows = try await env.query(ActorStore.page(after: cursor ?? "", limit: limit + 1))
        let page = Array(rows.prefix(limit))
        return Page(items: page, nextCursor: rows.count > limit ? page.last?.name : nil)
    }

    public func find(name: String) async throws -> Actor? {
        try await env.read { conn in try ActorStore.find(conn, name: name) }
    }

    public func fetch(id: UUID, by caller: Caller) async throws -> Actor {
        try caller.principal.require(.manageActors)
        return try await env.read { conn in try ActorStore.fetch(conn, id: id) }
    }

    /// The calling actor as stored now: what a client shows at login.
    public func me(by caller: Caller) async throws -> Actor {
        guard let id = caller.principal.actorID else {
            throw GalleyError.notFound(kind: "actor", id: caller.principal.name)
        }
        return try await env.read { conn in try ActorStore.fetch(conn, id: id) }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
