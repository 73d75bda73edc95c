/// Rewrites the text PostgreSQL prints for a `jsonb` value into the text `JSONValue`'s
/// `write` writes for the value `JSONValue(postgresText:)` reads from it — compact, object
/// keys sorted by their UTF-8 bytes, `-0` as `0` — straight from the bytes, without building
/// the value: an export of millions of audit events spent much of its time on that tree.
///
/// It rewrites only what it can rewrite beyond doubt: what `JSONValue(simpleJSON:)` reads
/// (integers of at most 15 digits, no fractions or exponents, at most 32 levels deep), with
/// object keys in plain ASCII without escapes, and strings whose escapes are the ones
/// `JSONWriter` writes (those PostgreSQL writes) or that hold no escapes. For anything else
/// it answers false and the caller writes the parsed value instead.
public struct JSONBRewriter {
    /// An object member: its key's bytes (between the quotes) and where its value starts.
    private struct Member {
        var key: Range<Int>
        var value: Int
    }

    private var text = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var index = 0
    /// The members of the objects being rewritten, innermost last; reused from call to call.
    private var members: [Member] = []

    private static let maximumDepth = 32
    private static let maximumDigits = 15

    public init() {}

    /// Appends the rewriting of `text` to `out`; false (with part of it appended) when `text`
    /// holds anything it does not rewrite.
    public mutating func append(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        self.text = text
        index = 0
        members.removeAll(keepingCapacity: true)
        defer { self.text = UnsafeBufferPointer(start: nil, count: 0) }
        guard value(depth: 0, write: true, to: &out) else { return false }
        skipSpace()
        return index == text.count
    }

    private mutating func skipSpace() {
        while index < text.count {
            switch text[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Reads the value at `index` (after any space) and, when `write`, appends its rewriting.
    private mutating func value(depth: Int, write: Bool, to out: inout [UInt8]) -> Bool {
        skipSpace()
        guard index < text.count, depth <= Self.maximumDepth else { return false }
        switch text[index] {
        case UInt8(ascii: "{"): return object(depth: depth, write: write, to: &out)
        case UInt8(ascii: "["): return array(depth: depth, write: write, to: &out)
        case UInt8(ascii: "\""): return string(write: write, to: &out)
        case UInt8(ascii: "t"): return literal("true", write: write, to: &out)
        case UInt8(ascii: "f"): return literal("false", write: write, to: &out)
        case UInt8(ascii: "n"): return literal("null", write: write, to: &out)
        default: return integer(write: write, to: &out)
        }
    }

    private mutating func literal(_ word: StaticString, write: Bool, to out: inout [UInt8]) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= text.count else { return false }
        for offset in 0..<count where text[index + offset] != word.utf8Start[offset] { return false }
        if write { out.append(contentsOf: UnsafeBufferPointer(rebasing: text[index..<index + count])) }
        index += count
        return true
    }

    /// An integer is written as it stands (PostgreSQL writes no leading zeros), `-0` as `0`.
    private mutating func integer(write: Bool, to out: inout [UInt8]) -> Bool {
        let start = index
        if text[index] == UInt8(ascii: "-") { index += 1 }
        let digits = index
        while index < text.count, (0x30...0x39).contains(text[index]) {
            index += 1
            guard index - digits <= Self.maximumDigits else { return false }
        }
        guard index > digits, index - digits == 1 || text[digits] != 0x30 else { return false }
        if index < text.count, text[index] == UInt8(ascii: ".") || text[index] | 0x20 == UInt8(ascii: "e") { return false }
        guard write else { return true }
        if index - digits == 1, text[digits] == 0x30 {
            out.append(0x30)
        } else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<index]))
        }
        return true
    }

    private mutating func array(depth: Int, write: Bool, to out: inout [UInt8]) -> Bool {
        index += 1
        if write { out.append(UInt8(ascii: "[")) }
        skipSpace()
        if index < text.count, text[index] == UInt8(ascii: "]") {
            index += 1
            if write { out.append(UInt8(ascii: "]")) }
            return true
        }
        while true {
            guard value(depth: depth + 1, write: write, to: &out) else { return false }
            skipSpace()
            guard index < text.count else { return false }
            let separator = text[index]
            index += 1
            guard separator == UInt8(ascii: "]") || separator == UInt8(ascii: ",") else { return false }
            if write { out.append(separator) }
            if separator == UInt8(ascii: "]") { return true }
        }
    }

    /// Reads the members once to find them, then writes them in key order, each value read
    /// again from where it starts.
    private mutating func object(depth: Int, write: Bool, to out: inout [UInt8]) -> Bool {
        index += 1
        let base = members.count
        defer { members.removeSubrange(base...) }
        skipSpace()
        if index < text.count, text[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipSpace()
                guard index < text.count, text[index] == UInt8(ascii: "\""), let key = key() else { return false }
                skipSpace()
                guard index < text.count, text[index] == UInt8(ascii: ":") else { return false }
                index += 1
                let start = index
                guard value(depth: depth + 1, write: false, to: &out) else { return false }
                members.append(Member(key: key, value: start))
                skipSpace()
                guard index < text.count else { return false }
                let separator = text[index]
                index += 1
                if separator == UInt8(ascii: "}") { break }
                guard separator == UInt8(ascii: ",") else { return false }
            }
        }
        guard write else { return true }
        let text = self.text
        members[base...].sort { text[$0.key].lexicographicallyPrecedes(text[$1.key]) }
        let end = (members: members.count, index: index)
        out.append(UInt8(ascii: "{"))
        for position in base..<end.members {
            let member = members[position]
            // Two equal keys: JSONDecoder's rule decides which one stays.
            if position > base {
                guard !text[members[position - 1].key].elementsEqual(text[member.key]) else { return false }
                out.append(UInt8(ascii: ","))
            }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[member.key]))
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
            index = member.value
            guard value(depth: depth + 1, write: true, to: &out) else { return false }
        }
        out.append(UInt8(ascii: "}"))
        index = end.index
        return true
    }

    /// A key's bytes between its quotes (`index` at the opening one), when they are printable
    /// ASCII without escapes: the key is those bytes, and no two such keys are equal as
    /// Swift Strings unless their bytes are.
    private mutating func key() -> Range<Int>? {
        index += 1
        let start = index
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<index - 1
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// A string (`index` at its opening quote). In ASCII it is written as it stands: its
    /// escapes are those `JSONWriter` writes for what they stand for, and its other bytes
    /// need none. Other text without escapes is read into a String, as `JSONValue` reads it,
    /// and written by `JSONWriter`'s rule; other text with escapes is not rewritten.
    private mutating func string(write: Bool, to out: inout [UInt8]) -> Bool {
        let quote = index
        index += 1
        var ascii = true
        var escaped = false
        while index < text.count {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard ascii || !escaped else { return false }
                guard write else { return true }
                if ascii {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: text[quote..<index]))
                } else {
                    var value = String(decoding: UnsafeBufferPointer(rebasing: text[quote + 1..<index - 1]), as: UTF8.self)
                    value.withUTF8 { JSONWriter.appendQuoted($0, to: &out) }
                }
                return true
            case UInt8(ascii: "\\"):
                guard let length = escapeLength(at: index + 1) else { return false }
                escaped = true
                index += 1 + length
            case 0..<0x20:
                return false
            default:
                if byte >= 0x80 { ascii = false }
                index += 1
            }
        }
        return false
    }

    /// How many bytes follow the backslash of an escape that `JSONWriter` writes the same way
    /// for the character it stands for; nil for any other escape.
    private func escapeLength(at position: Int) -> Int? {
        guard position < text.count else { return nil }
        switch text[position] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"),
            UInt8(ascii: "t"):
            return 1
        case UInt8(ascii: "u"):
            // `\u00XX` in lowercase, for a control character without a short escape.
            guard position + 5 <= text.count, text[position + 1] == 0x30, text[position + 2] == 0x30 else { return nil }
            let high = text[position + 3]
            let low = text[position + 4]
            guard high == 0x30 || high == 0x31, let value = HexDigit.value(low), low < 0x41 || low > 0x46 else { return nil }
            let code = (high - 0x30) << 4 | value
            guard code != 0x08, code != 0x09, code != 0x0A, code != 0x0C, code != 0x0D else { return nil }
            return 5
        default:
            return nil
        }
    }
}
