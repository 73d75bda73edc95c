import Foundation
import Galley
import GalleyCore

/// An audit event as `GET /v1/audit-events` lists it and the JSON Lines export writes it.
public struct AuditEventDTO: Encodable, Sendable {
    public var id: Int
    public var chain: String
    public var seq: Int
    public var actor_id: String?
    public var actor: String
    public var action: String
    public var article_id: String?
    public var from_state: String?
    public var to_state: String?
    public var revision: Int?
    public var reason: String?
    public var details: JSONValue
    /// `details` exactly as hashed (PostgreSQL's jsonb text), so the hash can be checked
    /// without the database.
    public var details_text: String
    public var request_id: String?
    public var at: Date
    public var prev_hash: String
    public var hash: String

    public init(_ event: AuditEvent) {
        id = event.id
        chain = event.chain
        seq = event.seq
        actor_id = event.actorID.wire
        actor = event.actor
        action = event.action
        article_id = event.articleID.wire
        from_state = event.fromState
        to_state = event.toState
        revision = event.revision
        reason = event.reason
        details = event.details
        details_text = event.detailsText
        request_id = event.requestID
        at = event.at
        prev_hash = event.prevHash
        hash = event.hash
    }
}

extension AuditEventDTO: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { out in
            out.member("action", action)
            out.member("actor", actor)
            out.memberIfPresent("actor_id", actor_id)
            out.memberIfPresent("article_id", article_id)
            out.member("at", at)
            out.member("chain", chain)
            out.member("details", details)
            out.member("details_text", details_text)
            out.memberIfPresent("from_state", from_state)
            out.member("hash", hash)
            out.member("id", id)
            out.member("prev_hash", prev_hash)
            out.memberIfPresent("reason", reason)
            out.memberIfPresent("request_id", request_id)
            out.memberIfPresent("revision", revision)
            out.member("seq", seq)
            out.memberIfPresent("to_state", to_state)
        }
    }

    public var estimatedJSONBytes: Int { 2 * details_text.utf8.count + (reason?.utf8.count ?? 0) + 640 }
}
