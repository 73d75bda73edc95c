import Foundation
import Galley
import GalleyCore

struct EvidenceDTO: Codable, Sendable {
    var url: String
    var note: String?
    var evidence: Evidence { Evidence(url: url, note: note) }
    init(_ evidence: Evidence) {
        url = evidence.url
        note = evidence.note
    }
}

struct VerdictInput: Decodable, Sendable {
    var checkpoint: String
    var verdict: String
    var revision: Int
    var note: String?
    var evidence: [EvidenceDTO]?
}

struct VerificationDTO: Encodable, Sendable {
    var id: String
    var checkpoint: String
    var verdict: String
    var revision: Int
    var content_hash: String
    var actor: String
    var note: String
    var evidence: [EvidenceDTO]
    var created_at: Date

    init(_ verification: Verification) {
        id = verification.id.wire
        checkpoint = verification.checkpoint
        verdict = verification.verdict.rawValue
        revision = verification.revision
        content_hash = verification.contentHash
        actor = verification.actor
        note = verification.note
        evidence = verification.evidence.map(EvidenceDTO.init)
        created_at = verification.createdAt
    }
}

struct CheckpointsDTO: Encodable, Sendable {
    var revision: Int
    var items: [CheckpointDTO]
}

struct ClaimInput: Decodable, Sendable {
    var text: String
    var revision: Int
}

struct ClaimPatch: Decodable, Sendable {
    var status: String
    var evidence: [EvidenceDTO]?
}

struct ClaimDTO: Encodable, Sendable {
    var id: String
    var article_id: String
    var revision: Int
    var text: String
    var status: String
    var evidence: [EvidenceDTO]
    var created_at: Date
    var updated_at: Date

    init(_ claim: Claim) {
        id = claim.id.wire
        article_id = claim.articleID.wire
        revision = claim.revision
        text = claim.text
        status = claim.status.rawValue
        evidence = claim.evidence.map(EvidenceDTO.init)
        created_at = claim.createdAt
        updated_at = claim.updatedAt
    }
}

struct AuditEventDTO: Encodable, Sendable {
    var id: Int
    var chain: String
    var seq: Int
    var actor: String
    var action: String
    var article_id: String?
    var from_state: String?
    var to_state: String?
    var revision: Int?
    var reason: String?
    var details: JSONValue
    var request_id: String?
    var at: Date
    var hash: String

    init(_ event: AuditEvent) {
        id = event.id
        chain = event.chain
        seq = event.seq
        actor = event.actor
        action = event.action
        article_id = event.articleID.wire
        from_state = event.fromState
        to_state = event.toState
        revision = event.revision
        reason = event.reason
        details = event.details
        request_id = event.requestID
        at = event.at
        hash = event.hash
    }
}

/// A word diff: the segments, in order, put both texts back together (context and removed
/// give the older text, context and added the newer), white space included.
struct DiffDTO: Encodable, Sendable {
    struct Segment: Encodable, Sendable {
        var op: String
        var text: String
    }
    var revision: Int
    var against: Int
    var segments: [Segment]
}
