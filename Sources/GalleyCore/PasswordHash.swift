import Crypto
import Foundation
import _CryptoExtras

/// A person's desk password as stored: PBKDF2-SHA256 with a per-actor salt, written
/// `pbkdf2-sha256$<rounds>$<salt base64>$<hash base64>`. The rounds travel with the hash, so
/// raising them later leaves old hashes verifiable. Deriving one takes tens of milliseconds on
/// purpose: callers run it off the request threads.
public struct PasswordHash: Sendable, Equatable {
    public static let defaultRounds = 600_000
    /// What a stored hash may ask for: bounds the work a corrupt row can cause.
    static let roundsRange = 210_000...10_000_000
    public static let saltByteCount = 16
    static let hashByteCount = 32

    public let rounds: Int
    public let salt: Data
    public let hash: Data

    /// The hash of `password` with `salt` (random, `saltByteCount` bytes, from the caller).
    public init(password: String, salt: Data, rounds: Int = defaultRounds) throws {
        self.rounds = rounds
        self.salt = salt
        self.hash = try Self.derive(password, salt: salt, rounds: rounds)
    }

    /// Reads a stored hash; nil for anything not in the stored form.
    public init?(stored: String) {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), Self.roundsRange.contains(rounds),
            let salt = Data(base64Encoded: String(parts[2])), !salt.isEmpty,
            let hash = Data(base64Encoded: String(parts[3])), hash.count == Self.hashByteCount
        else { return nil }
        self.rounds = rounds
        self.salt = salt
        self.hash = hash
    }

    public var stored: String { "pbkdf2-sha256$\(rounds)$\(salt.base64EncodedString())$\(hash.base64EncodedString())" }

    /// Whether `password` is the one hashed, compared in constant time.
    public func matches(_ password: String) throws -> Bool {
        let candidate = try Self.derive(password, salt: salt, rounds: rounds)
        return Secrets.equal(candidate, hash)
    }

    private static func derive(_ password: String, salt: Data, rounds: Int) throws -> Data {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Data(password.utf8), salt: salt, using: .sha256, outputByteCount: hashByteCount, rounds: rounds)
        return key.withUnsafeBytes { Data($0) }
    }

    /// What a new password must be, as field problems (empty when it will do). Length is what
    /// protects a password (NIST SP 800-63B); no composition rules.
    public static func problems(_ password: String) -> [GalleyError.FieldProblem] {
        if let nul = Validation.nulProblem("password", password) { return [nul] }
        if password.count < minimumLength {
            return [.init(field: "password", message: "must be at least \(minimumLength) characters; a phrase of several words will do")]
        }
        if password.utf8.count > maximumBytes { return [.init(field: "password", message: "must be at most \(maximumBytes) bytes")] }
        return []
    }

    public static let minimumLength = 12
    public static let maximumBytes = 1024
}
