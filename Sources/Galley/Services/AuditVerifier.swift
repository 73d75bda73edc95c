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
    private var currentChain = ""
    private var currentChainBytes: [UInt8] = []
    private var lastSeq = 0
    private var lastHash: [UInt8] = []
    private var lastOfChain: [String: (Int, String)] = [:]
    /// (chain, seq) → hash that some seal vouches for; removed as the events are seen.
    private var sealed: [String: [Int: String]] = [:]
    /// The current chain's entries of `sealed`, taken out while its events are checked.
    private var sealedInChain: [Int: String] = [:]
    /// Per chain, the event an earlier verification checked up to: its next event links to
    /// it. Empty for a full verification, whose chains start at their first event.
    private let start: [String: Head]

    /// `start`: the positions an incremental verification continues from (its chains' events
    /// up to there were checked before); the seals' heads must lie beyond them.
    init(seals: (checked: Int, heads: [Head], problem: Broken?), from start: [Head] = []) {
        sealsChecked = seals.checked
        if let problem = seals.problem { broken.append(problem) }
        for head in seals.heads { sealed[head.chain, default: [:]][head.seq] = head.hash }
        self.start = Dictionary(start.map { ($0.chain, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Checks a batch in chain order; `hashMatches` says for each event whether its content
    /// matches its hash (`AuditBatch.hashMatches`).
    mutating func check(_ batch: AuditBatch, hashMatches: [Bool]) throws {
        for row in 0..<batch.count {
            eventsChecked += 1
            if !batch.same(row, AuditBatch.Column.chain, as: currentChainBytes) {
                endChain()
                currentChain = try batch.rows[row].decode(at: AuditBatch.Column.chain)
                batch.copy(row, AuditBatch.Column.chain, into: &currentChainBytes)
                sealedInChain = sealed.removeValue(forKey: currentChain) ?? [:]
                lastSeq = 0
                lastHash.removeAll(keepingCapacity: true)
                if !start.isEmpty, let from = start[currentChain] {
                    lastSeq = from.seq
                    lastHash.append(contentsOf: from.hash.utf8)
                }
            }
            let seq: Int = try batch.rows[row].decode(at: AuditBatch.Column.seq)
            if seq != lastSeq + 1 {
                try fail(batch, row, "expected event \(lastSeq + 1) of the chain, found \(seq): events were removed or inserted")
            } else if !batch.same(row, AuditBatch.Column.prevHash, as: lastHash) {
                try fail(batch, row, "its link to the previous event does not match: events were removed, inserted or reordered")
            } else if !hashMatches[row] {
                try fail(batch, row, "its content does not match its hash: the event was altered")
            }
            if !sealedInChain.isEmpty, let vouched = sealedInChain.removeValue(forKey: seq),
                !batch.same(row, AuditBatch.Column.hash, as: Array(vouched.utf8))
            {
                try fail(batch, row, "a seal vouches for different content at this position")
            }
            lastSeq = seq
            batch.copy(row, AuditBatch.Column.hash, into: &lastHash)
        }
    }

    /// Remembers where the current chain ended, and what seals vouch for beyond that.
    private mutating func endChain() {
        guard !currentChain.isEmpty else { return }
        lastOfChain[currentChain] = (lastSeq, String(decoding: lastHash, as: UTF8.self))
        if !sealedInChain.isEmpty { sealed[currentChain] = sealedInChain }
        sealedInChain = [:]
    }

    /// Records a problem found outside the events checked in order (a seal's head looked up).
    mutating func note(_ problem: Broken) {
        broken.append(problem)
    }

    mutating func finish(heads: [Head]) -> Report {
        endChain()
        for head in heads {
            guard let last = lastOfChain[head.chain] ?? start[head.chain].map({ ($0.seq, $0.hash) }) else {
                broken.append(Broken(eventID: nil, chain: head.chain, seq: head.seq, problem: "the chain's events are missing"))
                continue
            }
            if last.0 == head.seq && last.1 != head.hash {
                broken.append(
                    Broken(
                        eventID: nil, chain: head.chain, seq: head.seq,
                        problem: "the chain's head records another hash for event \(head.seq) than the event's: the head was rewritten"))
            } else if last.0 != head.seq {
                broken.append(
                    Broken(
                        eventID: nil, chain: head.chain, seq: min(last.0, head.seq) + 1,
                        problem: "the chain ends at event \(last.0) but its head records event \(head.seq): events were removed"))
            }
        }
        for (chain, positions) in sealed {
            for (seq, _) in positions {
                broken.append(Broken(eventID: nil, chain: chain, seq: seq, problem: "a seal vouches for this event but it is missing"))
            }
        }
        // Broken events are found chain by chain in order, so the first is the earliest break.
        return Report(ok: broken.isEmpty, eventsChecked: eventsChecked, sealsChecked: sealsChecked, firstBroken: broken.first)
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
    /// them, "" when they start at the first), and returns every head they vouch for.
    static func checkSeals(_ seals: [AuditStore.Seal], after previous: String = "") -> (checked: Int, heads: [Head], problem: Broken?) {
        var previous = previous
        var heads: [Head] = []
        var checked = 0
        for seal in seals {
            checked += 1
            let id = seal.id
            let entries = seal.heads.compactMap { entry -> Head? in
                guard case .array(let parts) = entry, parts.count == 3, case .string(let chain) = parts[0],
                    case .number(let seq) = parts[1], case .string(let hash) = parts[2]
                else { return nil }
                return Head(chain: chain, seq: Int(seq), hash: hash)
            }
            let stored = seal.hash
            if seal.prevHash != previous || sealHash(previous: previous, heads: entries) != stored {
                return (checked, heads, Broken(eventID: nil, chain: "seal", seq: id, problem: "seal \(id) was altered or a seal before it removed"))
            }
            heads += entries.filter { $0.seq > 0 }
            previous = stored
        }
        return (checked, heads, nil)
    }
}
