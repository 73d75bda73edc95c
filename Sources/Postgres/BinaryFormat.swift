import Foundation

/// PostgreSQL's binary format for the types long reads ask for (`SQL.inBinary`): integers
/// big-endian in 2, 4 or 8 bytes, a `uuid` its 16 bytes, a time microseconds since
/// 2000-01-01 UTC in 8 bytes, a `jsonb` a version byte (1) before its text, text its bytes.
enum BinaryFormat {
    /// Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 (UTC).
    static let epochMicroseconds = 946_684_800_000_000

    /// A big-endian integer of 2, 4 or 8 bytes; nil for any other size.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count == 8 || bytes.count == 4 || bytes.count == 2 else { return nil }
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        switch bytes.count {
        case 2: return Int(Int16(truncatingIfNeeded: value))
        case 4: return Int(Int32(truncatingIfNeeded: value))
        default: return Int(Int64(bitPattern: value))
        }
    }

    /// A time's microseconds since 1970 (negative before), from its binary value.
    static func microsecondsSince1970(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count == 8, let since2000 = integer(bytes) else { return nil }
        let (value, overflow) = since2000.addingReportingOverflow(epochMicroseconds)
        return overflow ? nil : value
    }
}
