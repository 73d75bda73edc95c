import Foundation
import Galley

/// A live desk session as an admin sees it: never its secret, nor the secret's hash.
public struct SessionDTO: Encodable, Sendable {
    public var id: String
    public var actor_id: String
    public var actor: String
    public var created_at: Date
    public var last_seen_at: Date
    public var client_address: String
    public var user_agent: String

    public init(_ session: SessionRecord) {
        id = session.id.wire
        actor_id = session.actorID.wire
        actor = session.actorName
        created_at = session.createdAt
        last_seen_at = session.lastSeenAt
        client_address = session.clientAddress
        user_agent = session.userAgent
    }
}
