import Foundation
import Galley
import GalleyCore

/// A seal as `/content/v1/seals/…` answers it and as each line of `galley audit seals --export`
/// writes it (with `heads`): docs/audit.md, "Signed seals".
public struct SealDTO: Codable, Sendable {
    public var id: Int
    public var at: String
    public var chains: Int?
    public var root: String
    public var prev_hash: String
    public var signature: String?
    public var key_id: String?
    public var heads: [JSONValue]?

    public init(_ seal: PublishedSeal) {
        id = seal.id
        at = RFC3339.format(seal.at)
        chains = seal.chains
        root = seal.root
        prev_hash = seal.prevHash
        signature = seal.signature
        key_id = seal.keyID
        heads = seal.heads
    }

    /// One line of a seal export: compact JSON, keys sorted, `\n`.
    public static func jsonLine(_ seal: PublishedSeal) throws -> String {
        String(decoding: try WireJSON.encoder.encode(SealDTO(seal)), as: UTF8.self) + "\n"
    }
}
