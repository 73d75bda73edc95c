import Foundation

/// Random secrets (tokens, session ids) and comparing secrets without timing leaks.
public enum Secrets {
    /// `byteCount` random bytes from the system's generator, in base64url without padding.
    public static func random(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return base64url((0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    public static func base64url(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether two secrets are equal, in time that depends on their length only.
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        a.count == b.count && zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
