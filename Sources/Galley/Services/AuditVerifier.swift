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

    struct Row: Sendable {
        let id: Int
        let chain: String
        let seq: Int
        let prevHash: String
        let hash: String
        let fields: [String?]
        let atMicros: Int
    }

    private(set) var eventsChecked = 0
    private var sealsChecked = 0
    private var broken: [Broken] = []
    private var currentChain = ""
    private var lastSeq = 0
    private var lastHash = ""
    private var lastOfChain: [String: (Int, String)] = [:]
    /// (chain, seq) → hash that some seal vouches for; removed as the events are seen.
    private var sealed: [String: [Int: String]] = [:]

    init(seals: (checked: Int, heads: [Head], problem: Broken?)) {
        sealsChecked = seals.checked
        if let problem = seals.problem { broken.append(problem) }
        for head in seals.heads { sealed[head.chain, default: [:]][head.seq] = head.hash }
    }

    mutating func check(_ rows: [Row]) {
        for row in rows {
            eventsChecked += 1
            if row.chain != currentChain {
                if !currentChain.isEmpty { lastOfChain[currentChain] = (lastSeq, lastHash) }
                currentChain = row.chain
                lastSeq = 0
                lastHash = ""
            }
            if row.seq != lastSeq + 1 {
                fail(row, "expected event \(lastSeq + 1) of the chain, found \(row.seq): events were removed or inserted")
            } else if row.prevHash != lastHash {
                fail(row, "its link to the previous event does not match: events were removed, inserted or reordered")
            } else if Self.hash(row) != row.hash {
                fail(row, "its content does not match its hash: the event was altered")
            }
            if let vouched = sealed[row.chain]?.removeValue(forKey: row.seq), vouched != row.hash {
                fail(row, "a seal vouches for different content at this position")
            }
            lastSeq = row.seq
            lastHash = row.hash
        }
    }

    mutating func finish(heads: [Head]) -> Report {
        if !currentChain.isEmpty { lastOfChain[currentChain] = (lastSeq, lastHash) }
        for head in heads {
            guard let last = lastOfChain[head.chain] else {
                broken.append(Broken(eventID: nil, chain: head.chain, seq: head.seq, problem: "the chain's events are missing"))
                continue
            }
            if last.0 != head.seq || last.1 != head.hash {
                broken.append(
                    Broken(eventID: nil, chain: head.chain, seq: last.0 + 1,
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

    private mutating func fail(_ row: Row, _ problem: String) {
        broken.append(Broken(eventID: row.id, chain: row.chain, seq: row.seq, problem: problem))
    }

    /// `galley-audit/1`, then each field as `<UTF-8 byte count>:<text>` or `~` for NULL, one a line.
    /// Built as bytes rather than by appending to a String: verification hashes every event.
    static func hash(_ row: Row) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + row.fields.reduce(0) { $0 + ($1?.utf8.count ?? 0) })
        func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
        func field(_ value: String?) {
            if let value {
                append(String(value.utf8.count))
                bytes.append(UInt8(ascii: ":"))
                append(value)
            } else {
                bytes.append(UInt8(ascii: "~"))
            }
            bytes.append(UInt8(ascii: "\n"))
        }
        append("galley-audit/1\n")
        field(row.chain)
        append(String(row.seq))
        bytes.append(UInt8(ascii: "\n"))
        field(row.prevHash)
        for value in row.fields { field(value) }
        append(String(row.atMicros))
        return hex(SHA256.hash(data: bytes))
    }

    static func sealHash(previous: String, heads: [Head]) -> String {
        var text = "galley-seal/1\n\(previous)\n"
        for head in heads { text += "\(head.chain) \(head.seq) \(head.hash)\n" }
        return hex(SHA256.hash(data: Data(text.utf8)))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ digest: SHA256.Digest) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func loadBatch(_ conn: PostgresConnection, after: (String, Int), limit: Int) throws -> [Row] {
        try conn.query(
            """
            SELECT id, chain, seq, prev_hash, hash, actor_id::text AS actor_id, actor_name, action, article_id::text AS article_id,
                   revision::text AS revision, from_state, to_state, reason, details::text AS details, request_id,
                   (extract(epoch FROM at) * 1000000)::bigint AS at_us
            FROM audit_events WHERE (chain, seq) > (\(after.0), \(after.1)) ORDER BY chain, seq LIMIT \(limit)
            """
        ).map { row in
            Row(
                id: try row.decode(at: 0), chain: try row.decode(at: 1), seq: try row.decode(at: 2),
                prevHash: try row.decode(at: 3), hash: try row.decode(at: 4),
                fields: try (5...14).map { try row.decode(at: $0, as: String?.self) }, atMicros: try row.decode(at: 15))
        }
    }

    static func loadHeads(_ conn: PostgresConnection) throws -> [Head] {
        try conn.query("SELECT chain, seq, hash FROM audit_chain_heads WHERE seq > 0").map { row in
            Head(chain: try row.decode("chain"), seq: try row.decode("seq"), hash: try row.decode("hash"))
        }
    }

    /// Checks the chain of seals and returns every head they vouch for.
    static func loadSeals(_ conn: PostgresConnection) throws -> (checked: Int, heads: [Head], problem: Broken?) {
        var previous = ""
        var heads: [Head] = []
        var checked = 0
        for row in try conn.query("SELECT id, heads, prev_hash, hash FROM audit_seals ORDER BY id") {
            checked += 1
            let id: Int = try row.decode("id")
            let entries = try row.json("heads", as: [JSONValue].self).compactMap { entry -> Head? in
                guard case .array(let parts) = entry, parts.count == 3, case .string(let chain) = parts[0],
                    case .number(let seq) = parts[1], case .string(let hash) = parts[2]
                else { return nil }
                return Head(chain: chain, seq: Int(seq), hash: hash)
            }
            let stored: String = try row.decode("hash")
            if try row.decode("prev_hash", as: String.self) != previous || sealHash(previous: previous, heads: entries) != stored {
                return (checked, heads, Broken(eventID: nil, chain: "seal", seq: id, problem: "seal \(id) was altered or a seal before it removed"))
            }
            heads += entries.filter { $0.seq > 0 }
            previous = stored
        }
        return (checked, heads, nil)
    }
}
