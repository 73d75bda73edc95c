import Crypto
import Foundation

/// A seal's heads read from the text PostgreSQL prints for them (`[["chain", 13, "hash"], …]`),
/// hashed as `AuditVerifier.sealHash` hashes them while they are read: a seal lists up to
/// every chain, and decoding a million heads as JSON values cost more than the events' hashes.
enum SealHeads {
    /// The heads, each line `chain seq hash` of the seal's text fed to `hasher`; nil when the
    /// text is anything but such a list of plain strings and whole numbers (a seal altered
    /// by hand: chains and hashes never need escapes).
    static func parse(_ text: String, hashing hasher: inout SHA256) -> [AuditVerifier.Head]? {
        withUTF8(text) { bytes in
            var reader = Reader(bytes: bytes)
            var heads: [AuditVerifier.Head] = []
            var line: [UInt8] = []
            line.reserveCapacity(1 << 16)
            guard reader.take(UInt8(ascii: "[")) else { return nil }
            if !reader.take(UInt8(ascii: "]")) {
                repeat {
                    guard reader.take(UInt8(ascii: "[")), let chain = reader.string(), reader.take(UInt8(ascii: ",")),
                        let seq = reader.number(), reader.take(UInt8(ascii: ",")), let hash = reader.string(), reader.take(UInt8(ascii: "]"))
                    else { return nil }
                    line += chain
                    line.append(UInt8(ascii: " "))
                    line += seq.digits
                    line.append(UInt8(ascii: " "))
                    line += hash
                    line.append(UInt8(ascii: "\n"))
                    if line.count >= 1 << 16 {
                        hasher.update(data: line)
                        line.removeAll(keepingCapacity: true)
                    }
                    heads.append(
                        AuditVerifier.Head(
                            chain: String(decoding: chain, as: UTF8.self), seq: seq.value, hash: String(decoding: hash, as: UTF8.self)))
                } while reader.take(UInt8(ascii: ","))
                guard reader.take(UInt8(ascii: "]")) else { return nil }
            }
            guard reader.atEnd else { return nil }
            hasher.update(data: line)
            return heads
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool {
            mutating get {
                skipSpaces()
                return index == bytes.count
            }
        }

        mutating func skipSpaces() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\n") { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpaces()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A string without escapes or control characters.
        mutating func string() -> UnsafeBufferPointer<UInt8>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                guard bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 else { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            index += 1
            return UnsafeBufferPointer(rebasing: bytes[start..<index - 1])
        }

        /// A whole number from 0, as JSON writes it (no sign, no leading zero), up to 18 digits.
        mutating func number() -> (value: Int, digits: UnsafeBufferPointer<UInt8>)? {
            skipSpaces()
            let start = index
            var value = 0
            while index < bytes.count, index - start < 18, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            let count = index - start
            guard count > 0, count == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            return (value, UnsafeBufferPointer(rebasing: bytes[start..<index]))
        }
    }
}
