import Foundation

/// UUID text, the one form on the wire and in the database: 32 hex digits with dashes after
/// the 8th, 12th, 16th and 20th, written lowercase (as RFC 9562 recommends and PostgreSQL
/// writes `uuid`), read in either case. Byte-level, because Foundation's `UUID(uuidString:)`
/// and `uuidString` go through `sscanf` and `printf` on Linux, and ids are on every hot path.
public enum UUIDFormat {
    /// A UUID written as above (what `UUID(uuidString:)` accepts), or nil.
    public static func parse(_ text: some StringProtocol) -> UUID? {
        var text = String(text)
        return text.withUTF8 { parse($0) }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &uuid) { out -> Bool in
            var index = 0
            for position in 0..<16 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard bytes[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                }
                guard let high = HexDigit.value(bytes[index]), let low = HexDigit.value(bytes[index + 1]) else { return false }
                out[position] = high << 4 | low
                index += 2
            }
            return true
        }
        return valid ? UUID(uuid: uuid) : nil
    }

    /// Lowercase, as RFC 9562 recommends.
    public static func format(_ uuid: UUID) -> String {
        String(unsafeUninitializedCapacity: 36) { write(uuid, into: $0) }
    }

    /// `format(uuid)` appended as UTF-8, without making a String.
    public static func append(_ uuid: UUID, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { buffer in
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<write(uuid, into: buffer)]))
        }
    }

    /// Writes the 36 bytes of `format(uuid)` at the start of `out`; answers 36.
    private static func write(_ uuid: UUID, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid.uuid) { raw in
            var index = 0
            for position in 0..<16 {
                if position == 4 || position == 6 || position == 8 || position == 10 {
                    out[index] = UInt8(ascii: "-")
                    index += 1
                }
                out[index] = HexDigit.lowercase[Int(raw[position] >> 4)]
                out[index + 1] = HexDigit.lowercase[Int(raw[position] & 0x0F)]
                index += 2
            }
            return 36
        }
    }
}

extension UUID {
    /// The UUID in lowercase, e.g. `3f1c2b7e-0000-4000-8000-000000000000`.
    public var lowercasedString: String { UUIDFormat.format(self) }
}
