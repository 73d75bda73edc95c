/// Compact JSON text built on UTF-8 bytes, for values whose shape our own code knows
/// (audit details, response bodies): Foundation's `JSONEncoder` goes through `Encodable`'s
/// containers and boxes every value, a visible share of a hot request's CPU.
/// Objects are written in the order their members are appended; `JSONValue` sorts its keys.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Forgets what was written but keeps the buffer, so one writer serves a stream of lines.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    /// Ends a JSON Lines record: a line feed, after which the next value starts a new line.
    public mutating func lineFeed() {
        bytes.append(0x0A)
        needsComma = false
    }

    /// Takes back what was written after the first `count` bytes, where a line started.
    public mutating func rollBack(to count: Int) {
        bytes.removeSubrange(count...)
        needsComma = false
    }

    // MARK: Structure

    public mutating func object(_ members: (inout JSONWriter) throws -> Void) rethrows {
        try enclose(UInt8(ascii: "{"), UInt8(ascii: "}"), members)
    }

    public mutating func array(_ elements: (inout JSONWriter) throws -> Void) rethrows {
        try enclose(UInt8(ascii: "["), UInt8(ascii: "]"), elements)
    }

    private mutating func enclose(_ open: UInt8, _ close: UInt8, _ contents: (inout JSONWriter) throws -> Void) rethrows {
        separate()
        bytes.append(open)
        needsComma = false
        try contents(&self)
        bytes.append(close)
        needsComma = true
    }

    /// A member's name; its value is whatever is written next.
    public mutating func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: Values

    public mutating func string(_ value: String) {
        separate()
        appendString(value)
        needsComma = true
    }

    /// What `string(String(decoding: utf8, as: UTF8.self))` writes: ASCII (that String's
    /// very bytes) from the bytes, other text through that String.
    public mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        separate()
        if utf8.isASCII {
            Self.appendQuoted(utf8, to: &bytes)
        } else {
            appendString(String(decoding: utf8, as: UTF8.self))
        }
        needsComma = true
    }

    /// A value whose JSON text `write` appends itself, for text made elsewhere (an export's
    /// `details`, rewritten from PostgreSQL's): one whole value, or a throw.
    public mutating func rawValue(_ write: (inout [UInt8]) throws -> Void) rethrows {
        separate()
        try write(&bytes)
        needsComma = true
    }

    public mutating func int(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    /// Integral values as integers (as `JSONEncoder` did for `JSONValue`); not-a-number and
    /// infinities, which JSON cannot hold, as null.
    public mutating func number(_ value: Double) {
        separate()
        if !value.isFinite {
            bytes.append(contentsOf: "null".utf8)
        } else if value.rounded() == value, abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    // MARK: Members (a key and its value)

    public mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    public mutating func member(_ name: String, utf8 value: UnsafeBufferPointer<UInt8>) {
        key(name)
        string(utf8: value)
    }

    public mutating func member(_ name: String, _ value: Int) {
        key(name)
        int(value)
    }

    public mutating func member(_ name: String, _ values: [String]) {
        key(name)
        array { writer in for value in values { writer.string(value) } }
    }

    /// Members whose value is nil are left out, as `Encodable`'s synthesized conformances do.
    public mutating func memberIfPresent(_ name: String, _ value: String?) {
        if let value { member(name, value) }
    }

    public mutating func memberIfPresent(_ name: String, _ value: Int?) {
        if let value { member(name, value) }
    }

    public mutating func member(_ name: String, _ value: JSONValue) {
        key(name)
        value.write(to: &self)
    }

    // MARK: Details

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ value: String) {
        var value = value
        value.withUTF8 { Self.appendQuoted($0, to: &bytes) }
    }

    /// Quotes and escapes: `"` and `\`, and the control characters below U+0020 (as `\n`,
    /// `\r`, `\t`, `\b`, `\f` or `\u00XX`); everything else is copied as UTF-8, in runs.
    /// Article bodies are long runs without any of these, so the scan skips eight bytes at a
    /// time while a word holds none of them.
    static func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        if let base = utf8.baseAddress {
            let raw = UnsafeRawPointer(base)
            var start = 0
            var index = 0
            while index < utf8.count {
                if index + 8 <= utf8.count, !mayNeedEscaping(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                    index += 8
                    continue
                }
                let byte = utf8[index]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                    appendEscaped(byte, to: &bytes)
                    start = index + 1
                }
                index += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ byte: UInt8, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            bytes.append(contentsOf: "u00".utf8)
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0F)])
        }
    }

    /// Whether any of a word's eight bytes is below 0x20, a quote or a backslash (the
    /// "has less than" and "has zero byte" tests of Bit Twiddling Hacks; both are exact).
    private static func mayNeedEscaping(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
        let hasControl = (word &- ones &* 0x20) & ~word & highs != 0
        return hasControl || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
    }
}

extension JSONValue {
    /// Compact JSON with object keys sorted by their UTF-8 bytes, as `JSONEncoder` with
    /// `.sortedKeys` writes it (Swift's `<` orders some non-ASCII keys otherwise).
    public var jsonText: String {
        var writer = JSONWriter()
        write(to: &writer)
        return writer.text
    }

    public func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let value): writer.bool(value)
        case .number(let value): writer.number(value)
        case .string(let value): writer.string(value)
        case .array(let values): writer.array { writer in for value in values { value.write(to: &writer) } }
        case .object(let members):
            writer.object { writer in
                for key in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    writer.member(key, members[key]!)
                }
            }
        }
    }
}
