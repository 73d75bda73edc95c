import Foundation
import GalleyCore

/// A seal as anyone may read it (`/content/v1/seals`, `galley audit seals --export`):
/// docs/audit.md, "Signed seals".
public struct PublishedSeal: Sendable, Equatable {
    public let id: Int
    public let at: Date
    /// The chains sealed so far, this seal's included; nil for seals made before sql/0018.
    public let chains: Int?
    /// The seal's hash: it hashes the heads this seal lists with the previous seal's hash,
    /// so it commits to every chain head at this seal.
    public let root: String
    public let prevHash: String
    /// Ed25519, base64url; nil when the server that made the seal had no key.
    public let signature: String?
    public let keyID: String?
    /// `[chain, seq, hash]` of each head this seal lists, sorted by chain; only in exports.
    public let heads: [JSONValue]?

    /// The bytes `signature` covers, or nil for a seal that cannot be signed (no count).
    public var signedBytes: Data? {
        chains.map { SealSignature.signedBytes(id: id, at: RFC3339.format(at), chains: $0, root: root, prevHash: prevHash) }
    }
}
