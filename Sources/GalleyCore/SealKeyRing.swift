import Crypto
import Foundation

/// The keys that sign audit seals, as the key file (`GALLEY_SEAL_KEY`) holds them: a JWK set
/// (RFC 7517) of Ed25519 keys (RFC 8037), newest first. Only the newest holds its private part
/// (`d`); a rotated key keeps its public part and the time it stopped signing (`not_after`),
/// so seals it signed stay verifiable. `publicSet` is what `galley keys show` prints and
/// `/.well-known/galley-seal-key` serves (docs/audit.md).
public struct SealKeyRing: Codable, Sendable, Equatable {
    public struct Key: Codable, Sendable, Equatable {
        public var kty = "OKP"
        public var crv = "Ed25519"
        public var use = "sig"
        public var alg = "EdDSA"
        /// The RFC 7638 thumbprint of the public key: the same key always has the same id.
        public var kid: String
        /// The public key, base64url.
        public var x: String
        /// The private key, base64url; only in the key file, only for the signing key.
        public var d: String?
        /// When the key began signing, RFC 3339.
        public var not_before: String
        /// When the key stopped signing, RFC 3339; absent for the signing key.
        public var not_after: String?

        init(_ privateKey: Curve25519.Signing.PrivateKey, from start: Date) {
            x = Secrets.base64url(privateKey.publicKey.rawRepresentation)
            kid = Self.thumbprint(x: x)
            d = Secrets.base64url(privateKey.rawRepresentation)
            not_before = RFC3339.format(start)
        }

        /// RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace.
        static func thumbprint(x: String) -> String {
            Secrets.base64url(SHA256.hash(data: Data("{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"\(x)\"}".utf8)))
        }

        public var publicKey: Curve25519.Signing.PublicKey? {
            guard kty == "OKP", crv == "Ed25519", let raw = Self.bytes(base64url: x) else { return nil }
            return try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        }

        /// Whether the key was signing at `time` (RFC 3339).
        public func wasSigning(at time: Date) -> Bool {
            guard let start = RFC3339.parse(not_before), time >= start else { return false }
            guard let end = not_after else { return true }
            return RFC3339.parse(end).map { time <= $0 } ?? false
        }

        static func bytes(base64url text: String) -> Data? {
            var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            return Data(base64Encoded: base64)
        }
    }

    public var keys: [Key]

    public init(keys: [Key]) {
        self.keys = keys
    }

    /// A ring of one new key, signing from `now`.
    public static func new(now: Date) -> SealKeyRing {
        SealKeyRing(keys: [Key(Curve25519.Signing.PrivateKey(), from: now)])
    }

    /// A new signing key from `now`; the old one stops signing then and keeps only its public part.
    public func rotated(now: Date) -> SealKeyRing {
        let retired = keys.map { key in
            var key = key
            key.d = nil
            if key.not_after == nil { key.not_after = RFC3339.format(now) }
            return key
        }
        return SealKeyRing(keys: [Key(Curve25519.Signing.PrivateKey(), from: now)] + retired)
    }

    /// The signing key and its id, or nil when the ring holds no private key.
    public var signingKey: (id: String, key: Curve25519.Signing.PrivateKey)? {
        guard let first = keys.first, first.not_after == nil, let d = first.d, let raw = Key.bytes(base64url: d),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw),
            Secrets.base64url(key.publicKey.rawRepresentation) == first.x
        else { return nil }
        return (first.kid, key)
    }

    /// The ring without any private part: safe to print and to serve.
    public var publicSet: SealKeyRing {
        SealKeyRing(
            keys: keys.map { key in
                var key = key
                key.d = nil
                return key
            })
    }

    /// The ring as the key file and `galley keys show` write it: keys sorted, one JSON document.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and optionals cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }

    /// A JWK set, or a single JWK (as a verifier may be given one key).
    public static func parse(_ data: Data) -> SealKeyRing? {
        if let ring = try? JSONDecoder().decode(SealKeyRing.self, from: data) { return ring }
        return (try? JSONDecoder().decode(Key.self, from: data)).map { SealKeyRing(keys: [$0]) }
    }
}

/// What a seal's signature covers (docs/audit.md, "Signed seals"): one line each of a version
/// tag, the seal's id, its time (RFC 3339 UTC with microseconds, as the seal's `at`), the
/// number of chains it covers, its root and the previous seal's hash, no final newline.
public enum SealSignature {
    public static func signedBytes(id: Int, at: String, chains: Int, root: String, prevHash: String) -> Data {
        Data("galley-seal-signature/1\n\(id)\n\(at)\n\(chains)\n\(root)\n\(prevHash)".utf8)
    }

    public static func sign(_ bytes: Data, with key: Curve25519.Signing.PrivateKey) throws -> String {
        Secrets.base64url(try key.signature(for: bytes))
    }

    /// Whether `signature` (base64url) is `key`'s signature of `bytes`.
    public static func verify(_ signature: String, of bytes: Data, with key: Curve25519.Signing.PublicKey) -> Bool {
        guard let raw = SealKeyRing.Key.bytes(base64url: signature) else { return false }
        return key.isValidSignature(raw, for: bytes)
    }
}
