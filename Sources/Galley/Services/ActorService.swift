import Crypto
import Foundation
import GalleyCore
import Postgres

/// Actors, their tokens, and turning a bearer token back into an actor.
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

    public func add(_ new: NewActor, by caller: Caller) async throws -> Actor {
        try caller.principal.require(.manageActors)
        var problems: [GalleyError.FieldProblem] = []
        if !Validation.isActorName(new.name) {
            problems.append(.init(field: "name", message: "must be lowercase letters, digits, '.', '_' or '-', at most 64"))
        }
        if new.roles.isEmpty { problems.append(.init(field: "roles", message: "must name at least one role")) }
        if new.kind == .service, new.roles.contains(where: { !$0.isServiceRole }) {
            problems.append(.init(field: "roles", message: "a service may hold only ai_agent and publisher: services never verify or approve"))
        }
        if new.kind == .person, new.roles.contains(where: \.isServiceRole) {
            problems.append(.init(field: "roles", message: "ai_agent and publisher are for service accounts (--service)"))
        }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let id = env.newID()
        let now = env.now()
        let roles = Array(Set(new.roles)).sorted()
        let displayName = new.displayName?.trimmingWhiteSpace().nonEmpty ?? new.name
        return try await env.transaction { conn in
            let actor = try ActorStore.insert(conn, id: id, name: new.name, displayName: displayName, kind: new.kind, roles: roles, at: now)
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

    public func list(by caller: Caller) async throws -> [Actor] {
        try caller.principal.require(.manageActors)
        return try await env.read { conn in try ActorStore.list(conn) }
    }

    public func find(name: String) async throws -> Actor? {
        try await env.read { conn in try ActorStore.find(conn, name: name) }
    }

    public func fetch(id: UUID, by caller: Caller) async throws -> Actor {
        try caller.principal.require(.manageActors)
        return try await env.read { conn in try ActorStore.fetch(conn, id: id) }
    }

    /// Issues a token: `glly_` and 256 random bits in base64url. Only its SHA-256 is stored.
    public func issueToken(for actor: ActorReference, expiresAt: Date?, by caller: Caller) async throws -> IssuedToken {
        try caller.principal.require(.manageTokens)
        let now = env.now()
        if let expiresAt, expiresAt <= now {
            throw GalleyError.validation([.init(field: "expires_at", message: "must be in the future")])
        }
        // A time made from a client's span (the CLI's --expires-in) is checked like a sent one.
        if let expiresAt, !RFC3339.isStorable(expiresAt) {
            throw GalleyError.validation([.init(field: "expires_at", message: "must be no later than 9999-12-31T23:59:59Z")])
        }
        let token = Self.newToken()
        let tokenID = env.newID()
        return try await env.transaction { conn in
            let owner =
                switch actor {
                case .id(let id): try ActorStore.fetch(conn, id: id)
                case .name(let name): try ActorStore.fetch(conn, name: name)
                }
            try ActorStore.insertToken(conn, id: tokenID, actorID: owner.id, hash: ActorStore.tokenHash(token), expiresAt: expiresAt, at: now)
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.systemChain, principal: caller.principal, action: "token.issued",
                    details: [
                        "actor": .string(owner.name), "token_id": .string(tokenID.uuidString.lowercased()),
                        "expires_at": expiresAt.map { .string(RFC3339.format($0)) } ?? .null,
                    ],
                    requestID: caller.requestID, at: now))
            return IssuedToken(id: tokenID, token: token, expiresAt: expiresAt)
        }
    }

    public enum ActorReference: Sendable {
        case id(UUID)
        case name(String)
    }

    public func tokens(of name: String, by caller: Caller) async throws -> [TokenRecord] {
        try caller.principal.require(.manageTokens)
        return try await env.read { conn in
            try ActorStore.tokens(conn, actorID: try ActorStore.fetch(conn, name: name).id)
        }
    }

    /// Revokes a token at once: the next request with it is refused.
    public func revokeToken(_ id: UUID, by caller: Caller) async throws {
        try caller.principal.require(.manageTokens)
        let now = env.now()
        try await env.transaction { conn in
            guard let owner = try ActorStore.revokeToken(conn, id: id, at: now) else {
                throw GalleyError.notFound(kind: "live token", id: id.uuidString.lowercased())
            }
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.systemChain, principal: caller.principal, action: "token.revoked",
                    details: ["token_id": .string(id.uuidString.lowercased()), "actor_id": .string(owner.uuidString.lowercased())],
                    requestID: caller.requestID, at: now))
        }
    }

    /// The actor of a bearer token, or `unauthenticated`.
    public func authenticate(token: String) async throws -> Actor {
        let hash = try Self.hash(token: token)
        guard let actor = try await env.query(ActorStore.actor(tokenHash: hash, at: env.now())) else {
            throw Self.unknownToken
        }
        env.caches.remember(actor, forTokenHash: hash)
        return actor
    }

    /// The caller a bearer token names. A token this server has met before is recognised
    /// without a round trip, as the actor it had then; that caller's credential is pending
    /// until the database confirms it (`Credential`). Any other token is checked at once.
    public func caller(bearing token: String, requestID: String?) async throws -> Caller {
        let hash = try Self.hash(token: token)
        if let actor = env.caches.tokens.value(for: hash) {
            return Caller(
                principal: actor.principal, requestID: requestID, credential: Credential(tokenHash: hash, actorID: actor.id), tokenHash: hash)
        }
        guard let actor = try await env.query(ActorStore.actor(tokenHash: hash, at: env.now())) else { throw Self.unknownToken }
        env.caches.remember(actor, forTokenHash: hash)
        return Caller(principal: actor.principal, requestID: requestID, credential: nil, tokenHash: hash)
    }

    /// Serves one request for `caller`, keeping the promise of a pending credential: the
    /// request's first statement confirms it (in passing on the fast paths, else just
    /// before), and a request whose credential was never confirmed — refused before reaching
    /// the database, or answered without it — is confirmed before its answer or refusal
    /// leaves. A dead token's request is refused as unauthenticated.
    public func serve<Result>(_ caller: Caller, _ body: () async throws -> Result) async throws -> Result {
        guard let credential = caller.credential else { return try await body() }
        let result: Result
        do {
            result = try await Credential.$ofRequest.withValue(credential) { try await body() }
        } catch {
            try await env.confirm(credential)
            throw error
        }
        try await env.confirm(credential)
        return result
    }

    /// The SHA-256 a token is stored as, or `unauthenticated` for what cannot be a token.
    static func hash(token: String) throws -> Data {
        guard token.hasPrefix("glly_"), token.utf8.count < 200 else {
            throw GalleyError.unauthenticated("The bearer token is not a Galley token; send Authorization: Bearer glly_…")
        }
        return ActorStore.tokenHash(token)
    }

    static let unknownToken = GalleyError.unauthenticated("The token is unknown, revoked or expired; ask an admin for a new one.")

    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "glly_" + base64
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
