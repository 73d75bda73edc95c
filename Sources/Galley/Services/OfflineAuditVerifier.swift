import Crypto
import Foundation
import GalleyCore

/// Checks an audit export against the seals and the public seal keys, without the database
/// (`galley audit verify --export … --seals … --public-key …`; docs/audit.md): every chain by
/// the rules `AuditVerifier` applies, every seal's hash and signature, and that every event a
/// seal vouches for is in the export, so an export cut short before the last seal is refused.
/// A seal must be signed once signing began: from the earliest `not_before` of the key set,
/// and after any signed seal (a seal's time is signed, not hashed, so an unsigned seal's time
/// proves nothing); only seals older than signing may be unsigned. The files are read whole:
/// this runs on an auditor's machine, not in the server; nothing in them can crash it.
public struct OfflineAuditVerifier: Sendable {
    public struct Report: Sendable {
        public let ok: Bool
        public let eventsChecked: Int
        public let chainsChecked: Int
        public let sealsChecked: Int
        public let signedSeals: Int
        /// The newest seal that is signed: the export is vouched for up to it.
        public let lastSignedSeal: (id: Int, at: String)?
        public let firstBroken: AuditVerifier.Broken?
    }

    /// One line of a JSON Lines export (`AuditEventDTO`), with the fields its hash covers.
    struct Event: Decodable {
        let id: Int
        let chain: String
        let seq: Int
        let actor_id: String?
        let actor: String
        let action: String
        let article_id: String?
        let revision: Int?
        let from_state: String?
        let to_state: String?
        let reason: String?
        let details: JSONValue
        let details_text: String
        let request_id: String?
        let at: String
        let prev_hash: String
        let hash: String
    }

    /// One line of a seal export (`SealDTO` with its heads).
    struct Seal: Decodable {
        let id: Int
        let at: String
        let chains: Int?
        let root: String
        let prev_hash: String
        let signature: String?
        let key_id: String?
        let heads: [JSONValue]
    }

    public static func verify(export: Data, seals: Data, keys: SealKeyRing) throws -> Report {
        let events = try lines(export, "export", as: Event.self)
        let seals = try lines(seals, "seals", as: Seal.self)
        var broken: [AuditVerifier.Broken] = []
        func fail(_ chain: String, _ seq: Int, _ id: Int?, _ problem: String) {
            broken.append(AuditVerifier.Broken(eventID: id, chain: chain, seq: seq, problem: problem))
        }

        // The seals: one unbroken chain, each hash matching its heads, each signature valid.
        var vouched: [String: [Int: String]] = [:]
        var previous = ""
        var signed = 0
        var lastSigned: (id: Int, at: String)?
        let signingBegan = keys.keys.compactMap { RFC3339.parse($0.not_before) }.min()
        for seal in seals where broken.isEmpty {
            let heads = seal.heads.compactMap(head)
            if heads.count != seal.heads.count || seal.prev_hash != previous
                || AuditVerifier.sealHash(previous: previous, heads: heads) != seal.root
            {
                fail("seal", seal.id, nil, "seal \(seal.id) was altered or a seal before it removed")
            } else if let problem = signatureProblem(seal, keys) ?? unsignedProblem(seal, after: lastSigned?.id, signingBegan: signingBegan) {
                fail("seal", seal.id, nil, problem)
            }
            if seal.signature != nil {
                signed += 1
                lastSigned = (seal.id, seal.at)
            }
            for head in heads where head.seq > 0 { vouched[head.chain, default: [:]][head.seq] = head.hash }
            previous = seal.root
        }
        if broken.isEmpty && signed == 0 {
            fail("seal", seals.last?.id ?? 0, nil, "no seal is signed, so nothing ties the export to the public key")
        }

        // The chains, in order: links, hashes, what the seals vouch for, and where each ends.
        let chains = Dictionary(grouping: events, by: \.chain)
        // Walked until the first problem, the one reported: nothing after it is trusted.
        for chain in Set(chains.keys).union(vouched.keys).sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        where broken.isEmpty {
            let events = (chains[chain] ?? []).sorted { $0.seq < $1.seq }
            var sealed = vouched[chain] ?? [:]
            var lastSeq = 0
            var lastHash = ""
            for event in events where broken.isEmpty {
                if event.seq != lastSeq + 1 {
                    fail(
                        chain, event.seq, event.id, "expected event \(lastSeq + 1) of the chain, found \(event.seq): events were removed or inserted")
                } else if event.prev_hash != lastHash {
                    fail(chain, event.seq, event.id, "its link to the previous event does not match: events were removed, inserted or reordered")
                } else if try hash(event) != event.hash {
                    fail(chain, event.seq, event.id, "its content does not match its hash: the event was altered")
                } else if (try? JSONDecoder().decode(JSONValue.self, from: Data(event.details_text.utf8))) != event.details {
                    fail(chain, event.seq, event.id, "its details differ from the text its hash covers: the event was altered")
                }
                if let hash = sealed.removeValue(forKey: event.seq), hash != event.hash {
                    fail(chain, event.seq, event.id, "a seal vouches for different content at this position")
                }
                lastSeq = event.seq
                lastHash = event.hash
            }
            if broken.isEmpty, let missing = sealed.keys.min() {
                let end = events.isEmpty ? "the export has none of its events" : "the export ends at event \(lastSeq)"
                fail(chain, missing, nil, "a seal vouches for event \(missing) but \(end): the export is truncated or events were removed")
            }
        }
        return Report(
            ok: broken.isEmpty, eventsChecked: events.count, chainsChecked: chains.count, sealsChecked: seals.count, signedSeals: signed,
            lastSignedSeal: lastSigned, firstBroken: broken.first)
    }

    /// Why a seal's signature does not hold, or nil when it holds (or the seal is unsigned).
    static func signatureProblem(_ seal: Seal, _ keys: SealKeyRing) -> String? {
        guard let signature = seal.signature else { return nil }
        guard let keyID = seal.key_id, let key = keys.keys.first(where: { $0.kid == keyID }), let publicKey = key.publicKey else {
            return "seal \(seal.id) is signed by key \(seal.key_id ?? "(none)"), which the public key file does not list"
        }
        guard let at = RFC3339.parse(seal.at), key.wasSigning(at: at) else {
            return "seal \(seal.id) was made at \(seal.at), outside its key's validity (\(key.not_before) to \(key.not_after ?? "now"))"
        }
        guard let chains = seal.chains,
            SealSignature.verify(
                signature, of: SealSignature.signedBytes(id: seal.id, at: seal.at, chains: chains, root: seal.root, prevHash: seal.prev_hash),
                with: publicKey)
        else { return "seal \(seal.id)'s signature does not match its content: the seal was altered" }
        return nil
    }

    /// Why an unsigned seal is refused, or nil when it is signed or older than signing.
    static func unsignedProblem(_ seal: Seal, after signedSeal: Int?, signingBegan: Date?) -> String? {
        guard seal.signature == nil else { return nil }
        if let signedSeal {
            return "seal \(seal.id) is unsigned but seal \(signedSeal) before it is signed: its signature was removed"
        }
        guard let signingBegan else { return nil }
        guard let at = RFC3339.parse(seal.at), at < signingBegan else {
            return "seal \(seal.id) is unsigned but dated \(seal.at), when its keys were already signing "
                + "(from \(RFC3339.format(signingBegan))): its signature was removed"
        }
        return nil
    }

    /// A `[chain, seq, hash]` head, or nil when it is not one (a seq that is no whole number
    /// in an Int's range included).
    private static func head(_ entry: JSONValue) -> AuditVerifier.Head? {
        guard case .array(let parts) = entry, parts.count == 3, case .string(let chain) = parts[0], case .number(let number) = parts[1],
            let seq = Int(exactly: number), seq >= 0, case .string(let hash) = parts[2]
        else { return nil }
        return AuditVerifier.Head(chain: chain, seq: seq, hash: hash)
    }

    /// SHA-256 of the canonical form (docs/audit.md), from the exported fields.
    static func hash(_ event: Event) throws -> String {
        func field(_ text: String?) -> String { text.map { "\($0.utf8.count):\($0)" } ?? "~" }
        guard let micros = microseconds(event.at) else {
            throw GalleyError.validation([.init(field: "export", message: "event \(event.id)'s time \(event.at) is not RFC 3339 UTC")])
        }
        let text = [
            "galley-audit/1", field(event.chain), String(event.seq), field(event.prev_hash), field(event.actor_id), field(event.actor),
            field(event.action), field(event.article_id), field(event.revision.map(String.init)), field(event.from_state),
            field(event.to_state), field(event.reason), field(event.details_text), field(event.request_id), String(micros),
        ].joined(separator: "\n")
        return AuditVerifier.hex(SHA256.hash(data: Data(text.utf8)))
    }

    /// Microseconds since 1970 of `2026-12-01T09:00:00.123456Z`, exactly (no floating point).
    static func microseconds(_ text: String) -> Int? {
        guard text.hasSuffix("Z") else { return nil }
        let parts = text.dropLast().split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = RFC3339.parse(parts[0] + "Z") else { return nil }
        var fraction = 0
        if parts.count == 2 {
            guard (1...6).contains(parts[1].count), parts[1].utf8.allSatisfy({ (48...57).contains($0) }), let digits = Int(parts[1]) else {
                return nil
            }
            fraction = digits * Int(pow(10.0, Double(6 - parts[1].count)))
        }
        return Int(whole.timeIntervalSince1970.rounded(.down)) * 1_000_000 + fraction
    }

    private static func lines<Line: Decodable>(_ data: Data, _ name: String, as type: Line.Type) throws -> [Line] {
        var result: [Line] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            do {
                result.append(try JSONDecoder().decode(Line.self, from: line))
            } catch {
                throw GalleyError.validation([
                    .init(field: name, message: "line \(index + 1) is not a line of a galley \(name) JSON Lines file: \(error)")
                ])
            }
        }
        return result
    }
}
