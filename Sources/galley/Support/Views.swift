import Foundation
import Galley
import GalleyCore

// The JSON shapes of `--json` that only the CLI has; articles, verdicts, claims, generations
// and audit events are written as the API writes them (GalleyOutput). Keys are snake_case,
// through `CodingKeys`, because every JSON the CLI writes goes through `WireJSON`.

struct ActorView: Encodable {
    @LowercaseUUID var id: UUID
    let name: String
    let displayName: String
    let kind: ActorKind
    let roles: [Role]
    let createdAt: Date

    private enum CodingKeys: String, CodingKey {
        case id, name
        case displayName = "display_name"
        case kind, roles
        case createdAt = "created_at"
    }

    init(_ actor: Actor) {
        id = actor.id
        name = actor.name
        displayName = actor.displayName
        kind = actor.kind
        roles = actor.roles
        createdAt = actor.createdAt
    }
}

struct TokenView: Encodable {
    @LowercaseUUID var id: UUID
    let actor: String
    let status: String
    let createdAt: Date
    let expiresAt: Date?
    let revokedAt: Date?

    private enum CodingKeys: String, CodingKey {
        case id, actor, status
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
    }

    init(_ token: TokenRecord, actor: String, now: Date = Date()) {
        id = token.id
        self.actor = actor
        status = token.revokedAt != nil ? "revoked" : (token.expiresAt.map { $0 <= now } ?? false) ? "expired" : "live"
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        revokedAt = token.revokedAt
    }
}

/// An item's error inside a batch result.
struct ErrorView: Encodable {
    let kind: String
    let message: String

    init(_ error: GalleyError) {
        kind = Failure.kind(of: error)
        message = error.message
    }

    init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }
}
