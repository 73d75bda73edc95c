import Crypto
import Foundation
import GalleyCore

/// A desk session as signing in makes it: `secret` is the cookie's value, shown once and
/// stored only as its SHA-256.
public struct DeskSession: Sendable {
    public let id: UUID
    public let secret: String
    public let actor: Actor

    /// The token every desk form carries (`DeskVisit.csrfToken`).
    public var csrfToken: String { DeskVisit.csrfToken(secret: secret) }
}

/// One request of a signed-in person: who they are, as a caller of the services, and the
/// token their forms must carry.
public struct DeskVisit: Sendable {
    public let caller: Caller
    public let actor: Actor
    public let sessionID: UUID
    /// Derived from the session's secret, which only the browser holding the cookie knows:
    /// a page of another site cannot read it, so cannot forge a form that carries it.
    public let csrfToken: String

    static func csrfToken(secret: String) -> String {
        Secrets.base64url(SHA256.hash(data: Data(("galley-desk-csrf:" + secret).utf8)))
    }

    /// Whether `token` is this session's CSRF token, compared in constant time.
    public func accepts(csrfToken token: String) -> Bool {
        Secrets.equal(Array(csrfToken.utf8), Array(token.utf8))
    }
}

/// A session as an admin sees it (`SessionService.list`): never its secret.
public struct SessionRecord: Sendable, Equatable {
    public let id: UUID
    public let actorID: UUID
    public let actorName: String
    public let createdAt: Date
    public let lastSeenAt: Date
    public let clientAddress: String
    public let userAgent: String
}

/// A session as its caller's liveness is checked: by its secret's hash, for the actor at the
/// version it was read at.
struct RememberedSession: Sendable {
    let hash: Data
    let actorID: UUID
    let actorVersion: Int
}
