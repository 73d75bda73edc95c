import Foundation
import GalleyCore

/// `timestamptz` in the text form PostgreSQL sends with `DateStyle = ISO` and `TimeZone = UTC`
/// (both set on every connection): `2026-11-25 21:42:17.123456+00`. Only read here: times are
/// sent as GalleyCore's `RFC3339.format` text, which PostgreSQL reads as `timestamptz`.
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
        // A byte, not a Character: a Character's `asciiValue` is a Unicode lookup per call.
        func expect(_ char: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: char) else { return false }
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
        return date(seconds: seconds, micros: micros)
    }

    /// The time of a binary value (`BinaryFormat`), the same `Date` as its text gives.
    static func date(microsecondsSince1970 value: Int) -> Date {
        let (seconds, micros) = value.quotientAndRemainder(dividingBy: 1_000_000)
        return micros < 0 ? date(seconds: seconds - 1, micros: micros + 1_000_000) : date(seconds: seconds, micros: micros)
    }

    private static func date(seconds: Int, micros: Int) -> Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
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
}

/// `bytea` in hex output format: `\x0aff…`.
enum ByteaFormat {
    static func format(_ data: Data) -> String {
        var out = [UInt8](repeating: 0, count: 2 + data.count * 2)
        out[0] = UInt8(ascii: "\\")
        out[1] = UInt8(ascii: "x")
        var i = 2
        for byte in data {
            out[i] = HexDigit.lowercase[Int(byte >> 4)]
            out[i + 1] = HexDigit.lowercase[Int(byte & 0x0f)]
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
            guard let high = HexDigit.value(bytes[i]), let low = HexDigit.value(bytes[i + 1]) else { return nil }
            data.append(high << 4 | low)
            i += 2
        }
        return data
    }
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
