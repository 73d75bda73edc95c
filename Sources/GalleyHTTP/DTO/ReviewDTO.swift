import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct VerdictInput: Decodable, Sendable {
    var checkpoint: String
    var verdict: String
    var revision: Int
    var note: String?
    var evidence: [EvidenceDTO]?
}

struct ClaimInput: Decodable, Sendable {
    var text: String
    var revision: Int
}

struct ClaimPatch: Decodable, Sendable {
    var status: String
    var evidence: [EvidenceDTO]?
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
