import Foundation

/// `timestamptz` in the text form PostgreSQL sends with `DateStyle = ISO` and `TimeZone = UTC`
/// (both set on every connection): `2026-11-25 21:42:17.123456+00`.
enum TimestampFormat {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var index = 0
        func number(maxDigits: Int) -> Int? {
            var value = 0
            var digits = 0
            while index < bytes.count, digits < maxDigits, let d = digit(bytes[index]) {
                value = value * 10 + d
                index += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
        func expect(_ char: Character) -> Bool {
            guard index < bytes.count, bytes[index] == char.asciiValue! else { return false }
            index += 1
            return true
        }
        guard let year = number(maxDigits: 7), expect("-"),
            let month = number(maxDigits: 2), expect("-"),
            let day = number(maxDigits: 2), expect(" ") || expect("T"),
            let hour = number(maxDigits: 2), expect(":"),
            let minute = number(maxDigits: 2), expect(":"),
            let second = number(maxDigits: 2)
        else { return nil }
        var micros = 0
        if expect(".") {
            var scale = 100_000
            while index < bytes.count, let d = digit(bytes[index]) {
                micros += d * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            let sign: Int
            if expect("+") { sign = 1 } else if expect("-") { sign = -1 } else if expect("Z") { sign = 0 } else { return nil }
            if sign != 0 {
                guard let h = number(maxDigits: 2) else { return nil }
                var total = h * 3600
                if expect(":"), let m = number(maxDigits: 2) {
                    total += m * 60
                    if expect(":"), let s = number(maxDigits: 2) { total += s }
                }
                offsetSeconds = sign * total
            }
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour <= 24, minute <= 59, second <= 60
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    /// PostgreSQL's latest `timestamptz` is in the year 294276, about 9.2e12 seconds after
    /// 1970 (its earliest, 4713 BC, is nearer); in microseconds that still fits an `Int`.
    static let representableSeconds = 9.2e12

    /// Total: a time beyond PostgreSQL's range (or not a number) is written as PostgreSQL's
    /// own `infinity` or `-infinity` instead of overflowing the conversion. Clients' times
    /// are refused long before (`RFC3339` in GalleyCore); this only keeps a mistake from
    /// trapping the process.
    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        guard interval.magnitude < representableSeconds else { return interval < 0 ? "-infinity" : "infinity" }
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
        // Written into one buffer: built from padded pieces, formatting was 3% of the server's
        // CPU when listing articles. Years past 9999 or before 0 take more digits and a sign.
        var yearDigits = 1
        var magnitude = abs(year)
        while magnitude >= 10 {
            magnitude /= 10
            yearDigits += 1
        }
        let yearWidth = max(4, yearDigits)
        return String(unsafeUninitializedCapacity: 24 + yearWidth) { out in
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
            put(abs(year), yearWidth); put("-"); put(month, 2); put("-"); put(day, 2); put("T")
            put(seconds / 3600, 2); put(":"); put(seconds / 60 % 60, 2); put(":"); put(seconds % 60, 2)
            put("."); put(micros, 6); put("Z")
            return index
        }
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= 48 && byte <= 57 ? Int(byte) - 48 : nil
    }

    // Howard Hinnant's civil-calendar algorithms.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
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

/// Lowercase hex digits, for `bytea` and `uuid` text.
private let hexDigits = Array("0123456789abcdef".utf8)

/// The value of one hex digit (either case).
private func nibble(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: c - 48
    case 97...102: c - 87
    case 65...70: c - 55
    default: nil
    }
}

/// `bytea` in hex output format: `\x0aff…`.
enum ByteaFormat {
    static func format(_ data: Data) -> String {
        var out = [UInt8](repeating: 0, count: 2 + data.count * 2)
        out[0] = UInt8(ascii: "\\")
        out[1] = UInt8(ascii: "x")
        var i = 2
        for byte in data {
            out[i] = hexDigits[Int(byte >> 4)]
            out[i + 1] = hexDigits[Int(byte & 0x0f)]
            i += 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Data? {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"),
            bytes.count % 2 == 0
        else { return nil }
        var data = Data(capacity: (bytes.count - 2) / 2)
        var i = 2
        while i < bytes.count {
            guard let high = nibble(bytes[i]), let low = nibble(bytes[i + 1]) else { return nil }
            data.append(high << 4 | low)
            i += 2
        }
        return data
    }
}

/// `uuid` as PostgreSQL writes it: 32 hex digits with dashes after the 8th, 12th, 16th and
/// 20th (lowercase; upper case is read too). Foundation's `UUID(uuidString:)` and
/// `uuidString` go through `sscanf` and `printf` on Linux, which was 3–4% of the server's CPU
/// when listing articles.
public enum UUIDFormat {
    /// A UUID written as above (what `UUID(uuidString:)` accepts), or nil.
    public static func parse(_ text: some StringProtocol) -> UUID? {
        var text = String(text)
        return text.withUTF8 { parse($0) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &uuid) { out -> Bool in
            var index = 0
            for position in 0..<16 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard bytes[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                }
                guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return false }
                out[position] = high << 4 | low
                index += 2
            }
            return true
        }
        return valid ? UUID(uuid: uuid) : nil
    }

    /// Lowercase, as RFC 9562 recommends.
    static func format(_ uuid: UUID) -> String {
        withUnsafeBytes(of: uuid.uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                var index = 0
                for position in 0..<16 {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        out[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    out[index] = hexDigits[Int(raw[position] >> 4)]
                    out[index + 1] = hexDigits[Int(raw[position] & 0x0F)]
                    index += 2
                }
                return 36
            }
        }
    }
}

extension UUID {
    /// The UUID in lowercase, e.g. `3f1c2b7e-0000-4000-8000-000000000000`.
    public var lowercasedString: String { UUIDFormat.format(self) }
}

/// One-dimensional `text[]` literals: `{a,"b c","d\"e"}`. `[String]` cannot hold NULL
/// elements, so parsing refuses them; formatting writes nil as `NULL`.
enum TextArrayFormat {
    /// Every element is quoted, with `"` and `\` escaped. Works on UTF-8 bytes (both are
    /// ASCII, so they never occur inside a multi-byte character): set-based statements send
    /// whole article bodies this way.
    static func format(_ elements: [String?]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(elements.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 })
        out.append(UInt8(ascii: "{"))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard var element else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            element.withUTF8 { bytes in
                // Copies the runs between the characters to escape whole.
                var start = 0
                for index in bytes.indices where bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "\\") {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    out.append(UInt8(ascii: "\\"))
                    start = index
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads PostgreSQL's text form of a one-dimensional text array; nil when it is not one
    /// or holds a NULL. Works on UTF-8 bytes: the syntax characters are all ASCII.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> [String]? {
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        var elements: [String] = []
        if bytes.count == 2 { return elements }
        let end = bytes.count - 1
        var index = 1
        var current: [UInt8] = []
        while true {
            current.removeAll(keepingCapacity: true)
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while true {
                    guard index < end else { return nil }
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") { break }
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                        guard index < end else { return nil }
                    }
                    current.append(bytes[index])
                    index += 1
                }
                index += 1
                elements.append(String(decoding: current, as: UTF8.self))
            } else {
                let start = index
                while index < end, bytes[index] != UInt8(ascii: ",") { index += 1 }
                let element = UnsafeBufferPointer(rebasing: bytes[start..<index])
                if element.count == 4, String(decoding: element, as: UTF8.self).uppercased() == "NULL" { return nil }
                elements.append(String(decoding: element, as: UTF8.self))
            }
            if index == end { return elements }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }
}
