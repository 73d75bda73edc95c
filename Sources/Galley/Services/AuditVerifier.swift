import Crypto
import Foundation
import GalleyCore
import Postgres

/// Checks the audit log independently of the database's own functions: the canonical form
/// is rebuilt here, byte for byte as `galley_audit_canonical` in sql/0003_audit.sql defines it.
public struct AuditVerifier: Sendable {
    public struct Report: Sendable, Equatable {
        public let ok: Bool
        public let eventsChecked: Int
        public let sealsChecked: Int
        public let firstBroken: Broken?
    }

    public struct Broken: Sendable, Equatable {
        public let eventID: Int?
        public let chain: String
        public let seq: Int
        public let problem: String
    }

    struct Head: Sendable {
        let chain: String
        let seq: Int
        let hash: String
    }

    private(set) var eventsChecked = 0
    private var sealsChecked = 0
    private var broken: [Broken] = []
    private var currentChain: [UInt8] = []
    private var inChain = false
    private var lastSeq = 0
    private var lastHash: [UInt8] = []
    /// Where each chain read ended, in the order read: the chains' bytes and last hashes in
    /// one buffer, so that a million chains cost two allocations, not two million.
    private var ends = ChainEnds()
    /// Each seal's heads in chain order, with how far the chains read have matched them.
    private var seals: [SealCursor]
    /// Heads a seal lists that the chains read did not meet in order: `AuditService` looks
    /// them up once the events are read (`unmetSealHeads`).
    private(set) var unmetSealHeads: [Head] = []
    /// The current chain's positions that some seal vouches for, until its events meet them.
    private var sealedInChain: [(seq: Int, hash: String)] = []
    /// Positions a seal vouches for beyond the end of their chain.
    private var sealedMissing: [Head] = []
    /// Per chain, the event an earlier verification checked up to: its next event links to
    /// it. Empty for a full verification, whose chains start at their first event.
    private let start: [String: Head]

    /// `seals`: every seal's heads, each in chain order (as they are stored). `start`: the
    /// positions an incremental verification continues from (its chains' events up to there
    /// were checked before); the seals' heads must lie beyond them.
    init(seals: (checked: Int, heads: [[Head]], problem: Broken?), from start: [Head] = []) {
        sealsChecked = seals.checked
        if let problem = seals.problem { broken.append(problem) }
        self.seals = seals.heads.map { SealCursor(heads: $0) }
        self.start = Dictionary(start.map { ($0.chain, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Checks a batch in chain order; `hashMatches` says for each event whether its content
    /// matches its hash (`AuditBatch.hashMatches`).
    mutating func check(_ batch: AuditBatch, hashMatches: [Bool]) throws {
        for row in 0..<batch.count {
            eventsChecked += 1
            if !inChain || !batch.same(row, AuditBatch.Column.chain, as: currentChain) {
                endChain()
                batch.copy(row, AuditBatch.Column.chain, into: &currentChain)
                inChain = true
                startChain()
            }
            let seq = try batch.seq(row)
            if seq != lastSeq + 1 {
                try fail(batch, row, "expected event \(lastSeq + 1) of the chain, found \(seq): events were removed or inserted")
            } else if !batch.same(row, AuditBatch.Column.prevHash, as: lastHash) {
                try fail(batch, row, "its link to the previous event does not match: events were removed, inserted or reordered")
            } else if !hashMatches[row] {
                try fail(batch, row, "its content does not match its hash: the event was altered")
            }
            if !sealedInChain.isEmpty {
                // Two seals may list the same position: each must vouch for this event.
                var index = 0
                while index < sealedInChain.count {
                    guard sealedInChain[index].seq == seq else {
                        index += 1
                        continue
                    }
                    if !batch.same(row, AuditBatch.Column.hash, as: sealedInChain[index].hash) {
                        try fail(batch, row, "a seal vouches for different content at this position")
                    }
                    sealedInChain.remove(at: index)
                }
            }
            lastSeq = seq
            batch.copy(row, AuditBatch.Column.hash, into: &lastHash)
        }
    }

    /// Positions the chain from where an earlier verification left it, and takes the seals'
    /// heads for it: each seal's next ones when they name it. A seal's heads that this chain
    /// skips over are looked up later, so a chain whose events are all gone cannot hide the
    /// rest of that seal's heads.
    private mutating func startChain() {
        lastSeq = 0
        lastHash.removeAll(keepingCapacity: true)
        if !start.isEmpty, let from = start[String(decoding: currentChain, as: UTF8.self)] {
            lastSeq = from.seq
            lastHash.append(contentsOf: from.hash.utf8)
        }
        for index in seals.indices {
            seals[index].take(currentChain, into: &sealedInChain, skipped: &unmetSealHeads)
        }
    }

    /// Remembers where the current chain ended, and what seals vouch for beyond that.
    private mutating func endChain() {
        guard inChain else { return }
        ends.append(chain: currentChain, seq: lastSeq, hash: lastHash)
        let chain = sealedInChain.isEmpty ? "" : String(decoding: currentChain, as: UTF8.self)
        for (seq, hash) in sealedInChain { sealedMissing.append(Head(chain: chain, seq: seq, hash: hash)) }
        sealedInChain.removeAll(keepingCapacity: true)
    }

    /// Records a problem found outside the events checked in order (a seal's head looked up).
    mutating func note(_ problem: Broken) {
        broken.append(problem)
    }

    /// Ends the events read (`unmetSealHeads` is then complete).
    mutating func endEvents() {
        endChain()
        inChain = false
        for index in seals.indices { unmetSealHeads += seals[index].rest }
        seals = []
    }

    /// Checks each chain's end against its head: `heads` in chain order, as the events were
    /// read, so that a head meets its chain's end in turn; from the first that does not, the
    /// rest are matched by name.
    mutating func finish(heads: some ChainHeadList) throws -> Report {
        endEvents()
        var next = 0
        var index = 0
        while index < heads.count, next < ends.count, ends.withChain(next, { heads.sameChain(index, as: $0) }) {
            try compare(heads, index, toEnd: (ends.seq(next), ends.withHash(next) { heads.sameHash(index, as: $0) }))
            index += 1
            next += 1
        }
        if index < heads.count {
            var byChain: [String: Int] = [:]
            for position in next..<ends.count { byChain[ends.chain(position)] = position }
            while index < heads.count {
                let head = try heads.head(index)
                if let position = byChain[head.chain] {
                    try compare(heads, index, toEnd: (ends.seq(position), ends.hash(position) == head.hash))
                } else if let from = start[head.chain] {
                    try compare(heads, index, toEnd: (from.seq, from.hash == head.hash))
                } else {
                    broken.append(Broken(eventID: nil, chain: head.chain, seq: head.seq, problem: "the chain's events are missing"))
                }
                index += 1
            }
        }
        for head in sealedMissing {
            broken.append(Broken(eventID: nil, chain: head.chain, seq: head.seq, problem: "a seal vouches for this event but it is missing"))
        }
        // Broken events are found chain by chain in order, so the first is the earliest break.
        return Report(ok: broken.isEmpty, eventsChecked: eventsChecked, sealsChecked: sealsChecked, firstBroken: broken.first)
    }

    private mutating func compare(_ heads: some ChainHeadList, _ index: Int, toEnd end: (seq: Int, sameHash: Bool)) throws {
        let seq = try heads.seq(index)
        if end.seq == seq && !end.sameHash {
            broken.append(
                Broken(
                    eventID: nil, chain: try heads.head(index).chain, seq: seq,
                    problem: "the chain's head records another hash for event \(seq) than the event's: the head was rewritten"))
        } else if end.seq != seq {
            broken.append(
                Broken(
                    eventID: nil, chain: try heads.head(index).chain, seq: min(end.seq, seq) + 1,
                    problem: "the chain ends at event \(end.seq) but its head records event \(seq): events were removed"))
        }
    }

    private mutating func fail(_ batch: AuditBatch, _ row: Int, _ problem: String) throws {
        let event = batch.rows[row]
        broken.append(
            Broken(
                eventID: try event.decode(at: AuditBatch.Column.id), chain: try event.decode(at: AuditBatch.Column.chain),
                seq: try event.decode(at: AuditBatch.Column.seq), problem: problem))
    }

    static func sealHash(previous: String, heads: [Head]) -> String {
        var text = "galley-seal/1\n\(previous)\n"
        for head in heads { text += "\(head.chain) \(head.seq) \(head.hash)\n" }
        return hex(SHA256.hash(data: Data(text.utf8)))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ digest: SHA256.Digest) -> String {
        var bytes: [UInt8] = []
        hex(digest, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Replaces `out` with the digest in lowercase hex, reusing its storage.
    static func hex(_ digest: SHA256.Digest, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
    }

    /// Checks the chain of seals, the first linking to `previous` (the hash of the seal before
    /// them, "" when they start at the first), and returns each seal's heads (those of events).
    static func checkSeals(_ seals: [AuditStore.Seal], after previous: String = "") -> (checked: Int, heads: [[Head]], problem: Broken?) {
        var previous = previous
        var heads: [[Head]] = []
        var checked = 0
        for seal in seals {
            checked += 1
            var hasher = SHA256()
            hasher.update(data: Array("galley-seal/1\n\(previous)\n".utf8))
            guard seal.prevHash == previous, let entries = SealHeads.parse(seal.heads, hashing: &hasher), hex(hasher.finalize()) == seal.hash
            else {
                return (
                    checked, heads,
                    Broken(eventID: nil, chain: "seal", seq: seal.id, problem: "seal \(seal.id) was altered or a seal before it removed")
                )
            }
            heads.append(entries.filter { $0.seq > 0 })
            previous = seal.hash
        }
        return (checked, heads, nil)
    }
}
