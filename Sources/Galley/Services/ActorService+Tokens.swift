import Crypto
import Foundation
import GalleyCore
import Postgres

extension ActorService {
    /// Issues a token: `glly_` and 256 random bits in base64url. Only its SHA-256 is stored.
    /// A person's token lives `TokenLifetime.personDefault` unless told otherwise, and at
    /// most `TokenLifetime.personMaximum`; a service's lifetime must be chosen.
    public func issueToken(
        for actor: ActorReference, label: String = "", lifetime: TokenLifetime = .standard, by caller: Caller
    ) async throws -> IssuedToken {
        try caller.principal.require(.manageTokens)
        let now = env.now()
        let label = label.trimmingWhiteSpace()
        var problems = [Validation.nulProblem("label", label)].compactMap { $0 }
        if label.count > 200 { problems.append(.init(field: "label", message: "must be at most 200 characters")) }
        switch lifetime {
        case .until(let expiresAt):
            if expiresAt <= now { problems.append(.init(field: "expires_at", message: "must be in the future")) }
            if !RFC3339.isStorable(expiresAt) {
                problems.append(.init(field: "expires_at", message: "must be no later than 9999-12-31T23:59:59Z"))
            }
        case .span(let seconds):
            if !RFC3339.isStorable(now.addingTimeInterval(seconds)) {
                problems.append(.init(field: "expires_in", message: "must end no later than 9999-12-31T23:59:59Z"))
            }
        case .standard, .never: break
        }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let token = Self.newToken()
        let tokenID = env.newID()
        return try await env.transaction { conn in
            let owner =
                switch actor {
                case .id(let id): try ActorStore.fetch(conn, id: id)
                case .name(let name): try ActorStore.fetch(conn, name: name)
                }
            let expiresAt = try Self.expiry(of: lifetime, for: owner, at: now)
            try ActorStore.insertToken(
                conn, id: tokenID, actorID: owner.id, hash: ActorStore.tokenHash(token), label: label, expiresAt: expiresAt, at: now)
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.systemChain, principal: caller.principal, action: "token.issued",
                    details: [
                        "actor": .string(owner.name), "token_id": .string(tokenID.uuidString.lowercased()),
                        "expires_at": expiresAt.map { .string(RFC3339.format($0)) } ?? .null, "label": .string(label),
                    ],
                    requestID: caller.requestID, at: now))
            return IssuedToken(id: tokenID, token: token, label: label, expiresAt: expiresAt)
        }
    }

    /// When the owner's new token expires. A person's token always expires, within
    /// `TokenLifetime.personMaximum`: people leave, and a forgotten token outlives their
    /// access; only a service's may be `never`.
    private static func expiry(of lifetime: TokenLifetime, for owner: Actor, at now: Date) throws -> Date? {
        let latest = now.addingTimeInterval(TokenLifetime.personMaximum)
        func personal(_ field: String, _ message: String) -> GalleyError {
            .validation([.init(field: field, message: "\(owner.name) is a person: \(message)")])
        }
        switch lifetime {
        case .never:
            if owner.kind == .person {
                throw personal("expires_in", "only a service's token may never expire; give a span of at most 366 days, e.g. 90d")
            }
            return nil
        case .until(let date):
            if owner.kind == .person, date > latest {
                throw personal("expires_at", "a person's token lives at most 366 days; give a time before \(RFC3339.format(latest))")
            }
            return date
        case .span(let seconds):
            if owner.kind == .person, seconds > TokenLifetime.personMaximum {
                throw personal("expires_in", "a person's token lives at most 366 days; give a span such as 90d or 366d")
            }
            return now.addingTimeInterval(seconds)
        case .standard:
            guard owner.kind == .person else {
                throw GalleyError.validation([
                    .init(
                        field: "expires_in",
                        message: "\(owner.name) is a service: choose its token's lifetime, a span such as 365d or \"never\"")
                ])
            }
            return now.addingTimeInterval(TokenLifetime.personDefault)
        }
    }

    /// An actor's tokens, never their secrets: for an admin, or for the actor themselves.
    /// All of them, oldest first; or, given `newest`, at most that many, newest first.
    public func tokens(of actor: ActorReference, newest limit: Int? = nil, by caller: Caller) async throws -> [TokenRecord] {
        let principal = caller.principal
        let own =
            switch actor {
            case .id(let id): principal.actorID == id
            case .name(let name): principal.actorID != nil && principal.name == name
            }
        if !own { try principal.require(.manageTokens) }
        return try await env.read { conn in
            let owner =
                switch actor {
                case .id(let id): try ActorStore.fetch(conn, id: id)
                case .name(let name): try ActorStore.fetch(conn, name: name)
                }
            return try ActorStore.tokens(conn, actorID: owner.id, newest: limit)
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

    /// The actor of a bearer token, asked of the database (nothing remembered), or `unauthenticated`.
    public func authenticate(token: String) async throws -> Actor {
        guard let actor = try await env.query(ActorStore.actor(tokenHash: try Self.hash(token: token), at: env.now())) else {
            throw Self.unknownToken
        }
        return actor
    }

    /// The caller a bearer token names. A token this server has met before is recognised
    /// without a round trip, as the actor it had then; that caller's credential is pending
    /// until the database confirms it (`Credential`). Any other token is checked at once.
    public func caller(bearing token: String, requestID: String?) async throws -> Caller {
        let hash = try Self.hash(token: token)
        guard let actor = env.caches.tokens.value(for: hash) else { return try await freshCaller(hash, requestID: requestID) }
        env.tokenUse.used(hash, at: env.now())
        let remembered = RememberedToken(hash: hash, actorID: actor.id, actorVersion: actor.version)
        return Caller(principal: actor.principal, requestID: requestID, credential: Credential(remembered), token: remembered)
    }

    /// The caller the token with this hash names now, as the database says; remembered for
    /// the token's next request.
    private func freshCaller(_ hash: Data, requestID: String?) async throws -> Caller {
        let now = env.now()
        guard let actor = try await env.query(ActorStore.actor(tokenHash: hash, at: now)) else { throw Self.unknownToken }
        env.caches.remember(actor, forTokenHash: hash)
        env.tokenUse.used(hash, at: now)
        let token = RememberedToken(hash: hash, actorID: actor.id, actorVersion: actor.version)
        return Caller(principal: actor.principal, requestID: requestID, credential: nil, token: token)
    }

    /// Serves one request for `caller`, keeping the promise of a pending credential: the
    /// request's first statement confirms it (in passing on the fast paths, else just
    /// before), and a request whose credential was never confirmed — refused before reaching
    /// the database, or answered without it — is confirmed before its answer or refusal
    /// leaves. A credential found wanting is forgotten and the token looked up afresh: a
    /// dead token's request is refused as unauthenticated; a live one whose actor changed
    /// (roles, desk) is served once more, as the actor is now — safe, because nothing was
    /// read or written for the remembered actor.
    public func serve<Result>(_ caller: Caller, _ body: (Caller) async throws -> Result) async throws -> Result {
        guard let credential = caller.credential else { return try await body(caller) }
        do {
            let result: Result
            do {
                result = try await Credential.$ofRequest.withValue(credential) { try await body(caller) }
            } catch {
                try await env.confirm(credential)
                throw error
            }
            try await env.confirm(credential)
            return result
        } catch  where credential.isRefused {
            return try await body(try await freshCaller(credential.tokenHash, requestID: caller.requestID))
        }
    }

    /// The SHA-256 a token is stored as, or `unauthenticated` for what cannot be a token.
    static func hash(token: String) throws -> Data {
        guard token.hasPrefix("glly_"), token.utf8.count < 200 else {
            throw GalleyError.unauthenticated("The bearer token is not a Galley token; send Authorization: Bearer glly_…")
        }
        return ActorStore.tokenHash(token)
    }

    static let unknownToken = GalleyError.unauthenticated(
        "The token is unknown, revoked or expired, or its actor was deactivated; ask an admin for a new one.")

    static func newToken() -> String {
        "glly_" + Secrets.random()
    }
}
