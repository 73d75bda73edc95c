import Foundation

extension RFC3339 {
    /// PostgreSQL's latest `timestamptz` is in the year 294276, about 9.2e12 seconds after
    /// 1970 (its earliest, 4713 BC, is nearer); in microseconds that still fits an `Int`.
    static let representableSeconds = 9.2e12

    /// The one way a time is written, on the wire and to the database alike: RFC 3339 in UTC
    /// with microseconds, `2026-11-25T21:42:17.123456Z` (PostgreSQL reads it as `timestamptz`).
    /// Total: a time beyond PostgreSQL's range (or not a number) is written as PostgreSQL's
    /// own `infinity` or `-infinity` instead of overflowing the conversion. Clients' times
    /// are refused long before (`parse`); this only keeps a mistake from trapping the process.
    public static func format(_ date: Date) -> String {
        String(unsafeUninitializedCapacity: maximumLength) { write(date, into: $0) }
    }

    /// `format(date)` appended as UTF-8, without making a String: an export writes millions.
    public static func append(_ date: Date, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumLength) { buffer in
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<write(date, into: buffer)]))
        }
    }

    /// The longest `format` writes: a sign, a year of up to six digits (PostgreSQL's latest
    /// is 294276) and 23 more characters.
    private static let maximumLength = 30

    /// Writes `format(date)` at the start of `out` (at least `maximumLength` bytes); answers
    /// how many bytes it wrote.
    private static func write(_ date: Date, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let interval = date.timeIntervalSince1970
        guard interval.magnitude < representableSeconds else {
            return out.initialize(fromContentsOf: (interval < 0 ? "-infinity" : "infinity").utf8)
        }
        let totalMicros = Int((interval * 1_000_000).rounded())
        var days = totalMicros / 86_400_000_000
        var rest = totalMicros % 86_400_000_000
        if rest < 0 {
            days -= 1
            rest += 86_400_000_000
        }
        let (year, month, day) = civilFromDays(days)
        let seconds = rest / 1_000_000
        let micros = rest % 1_000_000
        // Written into one buffer, without intermediate strings: every timestamp of every
        // response goes through here. Years past 9999 or before 0 take more digits and a sign.
        var yearDigits = 1
        var magnitude = abs(year)
        while magnitude >= 10 {
            magnitude /= 10
            yearDigits += 1
        }
        let yearWidth = max(4, yearDigits)
        var index = 0
        func put(_ value: Int, _ width: Int) {
            var value = value
            for position in stride(from: index + width - 1, through: index, by: -1) {
                out[position] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
            index += width
        }
        func put(_ char: Unicode.Scalar) {
            out[index] = UInt8(ascii: char)
            index += 1
        }
        if year < 0 { put("-") }
        put(abs(year), yearWidth)
        put("-")
        put(month, 2)
        put("-")
        put(day, 2)
        put("T")
        put(seconds / 3600, 2)
        put(":")
        put(seconds / 60 % 60, 2)
        put(":")
        put(seconds % 60, 2)
        put(".")
        put(micros, 6)
        put("Z")
        return index
    }

    /// (year, month, day) of a day counted from 1970-01-01 (Howard Hinnant's algorithm).
    private static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
