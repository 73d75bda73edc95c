import Foundation
import Galley
import GalleyCore

// Actors and their tokens as the API and the CLI write them.

/// An actor: who they are, their roles, their desk (`sections`, empty = every section) and
/// whether they may act at all.
public struct ActorDTO: Encodable, Sendable {
    public var id: String
    public var name: String
    public var display_name: String
    public var kind: String
    public var roles: [String]
    public var sections: [String]
    public var active: Bool
    public var version: Int
    public var created_at: Date

    public init(_ actor: Actor) {
        id = actor.id.wire
        name = actor.name
        display_name = actor.displayName
        kind = actor.kind.rawValue
        roles = actor.roles.map(\.rawValue)
        sections = actor.sections
        active = actor.active
        version = actor.version
        created_at = actor.createdAt
    }
}

/// A token as listed: never the token itself, nor its hash.
public struct TokenDTO: Encodable, Sendable {
    public var id: String
    public var label: String
    public var created_at: Date
    public var expires_at: Date?
    public var last_used_at: Date?
    public var revoked_at: Date?

    public init(_ token: TokenRecord) {
        id = token.id.wire
        label = token.label
        created_at = token.createdAt
        expires_at = token.expiresAt
        last_used_at = token.lastUsedAt
        revoked_at = token.revokedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, label, created_at, expires_at, last_used_at, revoked_at
    }

    /// Absent times are written as null: a client sees every field of every token.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(label, forKey: .label)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(expires_at, forKey: .expires_at)
        try container.encode(last_used_at, forKey: .last_used_at)
        try container.encode(revoked_at, forKey: .revoked_at)
    }
}

/// A token just issued: the secret, shown this once.
public struct IssuedTokenDTO: Encodable, Sendable {
    public var id: String
    public var token: String
    public var label: String
    public var expires_at: Date?

    public init(_ issued: IssuedToken) {
        id = issued.id.wire
        token = issued.token
        label = issued.label
        expires_at = issued.expiresAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, token, label, expires_at
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(token, forKey: .token)
        try container.encode(label, forKey: .label)
        try container.encode(expires_at, forKey: .expires_at)
    }
}
