import Foundation
import Galley
import GalleyCore

// Verdicts, checkpoints and claims as the API and the CLI write them.

/// A link that supports a verdict or a claim (also read from request bodies).
public struct EvidenceDTO: Codable, Sendable {
    public var url: String
    public var note: String?
    public var evidence: Evidence { Evidence(url: url, note: note) }
    public init(_ evidence: Evidence) {
        url = evidence.url
        note = evidence.note
    }
}

/// A recorded verdict on one checkpoint of one revision.
public struct VerificationDTO: Encodable, Sendable {
    public var id: String
    public var checkpoint: String
    public var verdict: String
    public var revision: Int
    public var content_hash: String
    public var actor: String
    public var note: String
    public var evidence: [EvidenceDTO]
    public var created_at: Date

    public init(_ verification: Verification) {
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

/// The checkpoints of one revision.
public struct CheckpointsDTO: Encodable, Sendable {
    public var revision: Int
    public var items: [CheckpointDTO]

    public init(revision: Int, items: [CheckpointDTO]) {
        self.revision = revision
        self.items = items
    }
}

/// A factual claim of an article and where its checking stands.
public struct ClaimDTO: Encodable, Sendable {
    public var id: String
    public var article_id: String
    public var revision: Int
    public var text: String
    public var status: String
    public var evidence: [EvidenceDTO]
    public var created_at: Date
    public var updated_at: Date

    public init(_ claim: Claim) {
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
