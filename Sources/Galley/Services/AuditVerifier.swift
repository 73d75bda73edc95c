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

    /// An event that came before its predecessor in the order read, held until it arrives.
    private struct Pending: Sendable {
        let id: Int?
        let seq: Int
        let prevHash: [UInt8]
        let hash: [UInt8]
        let hashMatches: Bool
    }

    /// How many events may wait for a predecessor at once; past it, the one waiting longest
    /// is checked as it is (a gap). Events of one chain take ids out of `seq` order only
    /// while writers wait for the chain, one event each, so an intact log holds a few; a log
    /// with events removed from many chains would otherwise hold nearly all of them.
    private static let pendingLimit = 10_000

    private(set) var eventsChecked = 0
    private var sealsChecked = 0
    /// The first problem found outside the events (a broken chain of seals is found first).
    private var firstProblem: Broken?
    /// Of the problems found in the events themselves, the earliest in chain order.
    private var earliestBrokenEvent: Broken?
    /// Every chain met, and how far each is checked.
    private var chains = ChainTable()
    /// Events waiting for their predecessor, by chain index; how many; and the positions of
    /// those held, oldest first (some since checked), with where the oldest is.
    private var pending: [Int: [Pending]] = [:]
    private var pendingCount = 0
    private var held: [(chain: Int, seq: Int)] = []
    private var heldStart = 0
    /// Every position a seal vouches for, ordered by chain index and seq; each chain's next
    /// one to meet, and where its positions end (indexed by chain, for the chains seals name).
    private var sealed: [(chain: Int, seq: Int, hash: String)] = []
    private var sealNext: [Int] = []
    private var sealEnd: [Int] = []

    /// `seals`: every seal's heads (each position a seal vouches for). `start`: the positions
    /// an incremental verification continues from (its chains' events up to there were
    /// checked before); the seals' heads given must lie beyond them.
    init(seals: (checked: Int, heads: [[Head]], problem: Broken?), from start: [Head] = []) {
        sealsChecked = seals.checked
        firstProblem = seals.problem
        for head in start where chains.existingIndex(of: head.chain) == nil {
            let index = chains.index(of: head.chain)
            withUTF8(head.hash) { chains.move(index, to: head.seq, hash: $0) }
        }
        for head in seals.heads.joined() { sealed.append((chains.index(of: head.chain), head.seq, head.hash)) }
        // Stable, so that positions listed by several seals are each checked.
        sealed = sealed.enumerated().sorted { ($0.element.chain, $0.element.seq, $0.offset) < ($1.element.chain, $1.element.seq, $1.offset) }
            .map(\.element)
        sealNext = Array(repeating: 0, count: chains.count)
        sealEnd = Array(repeating: 0, count: chains.count)
        var index = 0
        while index < sealed.count {
            let chain = sealed[index].chain
            sealNext[chain] = index
            while index < sealed.count, sealed[index].chain == chain { index += 1 }
            sealEnd[chain] = index
        }
    }

    /// Checks a batch of events in any order in which each chain's events mostly come in
    /// `seq` order (the log's id order, or chain order); `hashMatches` says for each event
    /// whether its content matches its hash (`AuditBatch.hashMatches`).
    mutating func check(_ batch: AuditBatch, hashMatches: [Bool]) throws {
        for row in 0..<batch.count {
            eventsChecked += 1
            let chain = batch.rows.withBytes(row: row, column: AuditBatch.Column.chain) { chains.index(of: $0 ?? .init(start: nil, count: 0)) }
            let seq = try batch.seq(row)
            let id = try batch.rows.integer(row: row, column: AuditBatch.Column.id)
            if seq > chains.seq(chain) + 1 {
                hold(
                    Pending(
                        id: id, seq: seq, prevHash: batch.bytes(row, AuditBatch.Column.prevHash), hash: batch.bytes(row, AuditBatch.Column.hash),
                        hashMatches: hashMatches[row]), of: chain)
                continue
            }
            batch.rows.withBytes(row: row, column: AuditBatch.Column.prevHash) { prevHash in
                batch.rows.withBytes(row: row, column: AuditBatch.Column.hash) { hash in
                    accept(
                        chain, id: id, seq: seq, prevHash: prevHash ?? .init(start: nil, count: 0), hash: hash ?? .init(start: nil, count: 0),
                        hashMatches: hashMatches[row])
                }
            }
            if !pending.isEmpty { release(chain) }
        }
    }

    /// Checks an event against its chain's position and the seals, and moves the chain on.
    private mutating func accept(
        _ chain: Int, id: Int?, seq: Int, prevHash: UnsafeBufferPointer<UInt8>, hash: UnsafeBufferPointer<UInt8>, hashMatches: Bool
    ) {
        let expected = chains.seq(chain) + 1
        if seq != expected {
            fail(id, chain, seq, "expected event \(expected) of the chain, found \(seq): events were removed or inserted")
        } else if !chains.withHash(chain, { sameText($0, prevHash) }) {
            fail(id, chain, seq, "its link to the previous event does not match: events were removed, inserted or reordered")
        } else if !hashMatches {
            fail(id, chain, seq, "its content does not match its hash: the event was altered")
        }
        if chain < sealEnd.count, sealNext[chain] < sealEnd[chain] {
            var next = sealNext[chain]
            while next < sealEnd[chain], sealed[next].seq < seq {
                missing(sealed[next])
                next += 1
            }
            // Two seals may list the same position: each must vouch for this event.
            while next < sealEnd[chain], sealed[next].seq == seq {
                if !withUTF8(sealed[next].hash, { sameText($0, hash) }) {
                    fail(id, chain, seq, "a seal vouches for different content at this position")
                }
                next += 1
            }
            sealNext[chain] = next
        }
        chains.move(chain, to: seq, hash: hash)
    }

    private mutating func hold(_ event: Pending, of chain: Int) {
        pending[chain, default: []].append(event)
        pendingCount += 1
        held.append((chain, event.seq))
        while pendingCount > Self.pendingLimit, heldStart < held.count {
            let oldest = held[heldStart]
            heldStart += 1
            if pending[oldest.chain]?.contains(where: { $0.seq == oldest.seq }) == true { release(oldest.chain, upTo: oldest.seq) }
        }
        if heldStart > 4_096, heldStart * 2 > held.count {
            held.removeFirst(heldStart)
            heldStart = 0
        }
    }

    /// Checks the chain's held events that now follow its position; first, those up to seq
    /// `forced` whether they follow or not (a gap before each that does not).
    private mutating func release(_ chain: Int, upTo forced: Int = 0) {
        guard var events = pending.removeValue(forKey: chain) else { return }
        events.sort { $0.seq < $1.seq }
        var index = 0
        while index < events.count, events[index].seq <= max(forced, chains.seq(chain) + 1) {
            let event = events[index]
            event.prevHash.withUnsafeBufferPointer { prevHash in
                event.hash.withUnsafeBufferPointer { hash in
                    accept(chain, id: event.id, seq: event.seq, prevHash: prevHash, hash: hash, hashMatches: event.hashMatches)
                }
            }
            index += 1
        }
        pendingCount -= index
        if index < events.count { pending[chain] = Array(events[index...]) }
    }

    /// Records a problem found outside the events checked (a seal's head looked up).
    mutating func note(_ problem: Broken) {
        found(problem)
    }

    /// Ends the events read: held events are checked as they are (each chain's first one a
    /// gap), and the positions seals vouch for beyond a chain's last event are missing.
    private mutating func endEvents() {
        for chain in pending.keys.sorted() { release(chain, upTo: .max) }
        held = []
        for chain in sealNext.indices {
            for next in sealNext[chain]..<sealEnd[chain] { missing(sealed[next]) }
            sealNext[chain] = sealEnd[chain]
        }
    }

    /// Checks each chain's end against its head.
    mutating func finish(heads: some ChainHeadList) throws -> Report {
        endEvents()
        for index in 0..<heads.count {
            let seq = try heads.seq(index)
            guard let chain = heads.withChain(index, { chains.existingIndex(of: $0) }), chains.seq(chain) > 0 else {
                found(Broken(eventID: nil, chain: try heads.head(index).chain, seq: seq, problem: "the chain's events are missing"))
                continue
            }
            let end = chains.seq(chain)
            if end == seq && !chains.withHash(chain, { heads.sameHash(index, as: $0) }) {
                found(
                    Broken(
                        eventID: nil, chain: chains.name(chain), seq: seq,
                        problem: "the chain's head records another hash for event \(seq) than the event's: the head was rewritten"))
            } else if end != seq {
                found(
                    Broken(
                        eventID: nil, chain: chains.name(chain), seq: min(end, seq) + 1,
                        problem: "the chain ends at event \(end) but its head records event \(seq): events were removed"))
            }
        }
        // A broken chain of seals first, then the earliest broken event in chain order
        // (however the events were read), then what was found after the events.
        let first = firstProblem?.chain == "seal" ? firstProblem : earliestBrokenEvent ?? firstProblem
        return Report(ok: first == nil, eventsChecked: eventsChecked, sealsChecked: sealsChecked, firstBroken: first)
    }

    /// Keeps the first problem found outside the events.
    private mutating func found(_ problem: Broken) {
        if firstProblem == nil { firstProblem = problem }
    }

    private mutating func missing(_ position: (chain: Int, seq: Int, hash: String)) {
        found(Broken(eventID: nil, chain: chains.name(position.chain), seq: position.seq, problem: "a seal vouches for this event but it is missing"))
    }

    private mutating func fail(_ id: Int?, _ chain: Int, _ seq: Int, _ problem: String) {
        let broken = Broken(eventID: id, chain: chains.name(chain), seq: seq, problem: problem)
        if let earliest = earliestBrokenEvent, (earliest.chain, earliest.seq) <= (broken.chain, broken.seq) { return }
        earliestBrokenEvent = broken
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
