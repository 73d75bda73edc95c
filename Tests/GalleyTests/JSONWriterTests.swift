import Foundation
import GalleyCore
import Testing

@Suite struct JSONWriterTests {
    static let samples: [JSONValue] = [
        [:], [], .null, true, 0, -12, .number(3.25), .number(1e20), .number(1.5e-7), "",
        ["content_hash": "ab12", "previous_live_revision": .null, "correction_number": 2],
        ["quote \" backslash \\ slash /": "line\nbreak\ttab\r\u{08}\u{0C}\u{01}\u{1F} é ✓ 😀 \u{2028}"],
        ["nested": ["list": [1, "two", ["three": false]], "b": [:], "a": []]],
    ]

    /// Audit details are stored through this writer; what it writes must read back as the
    /// same value, and match what `JSONEncoder` (sorted keys) wrote before it.
    @Test(arguments: samples) func writesWhatJSONEncoderWrote(value: JSONValue) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(value.jsonText == expected)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(value.jsonText.utf8)) == value)
    }

    /// Strings are scanned eight bytes at a time: every character that needs escaping, at
    /// every offset in a word, next to multi-byte UTF-8.
    @Test func escapesAtEveryOffset() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for special in ["\"", "\\", "\n", "\u{01}", "\u{1F}", "\t"] {
            for offset in 0..<17 {
                let text =
                    String(repeating: "é", count: offset % 3) + String(repeating: "a", count: offset) + special
                    + "ü tail of the string 日本 \u{7F}\u{80}"
                let value = JSONValue.string(text)
                #expect(value.jsonText == String(decoding: try encoder.encode(value), as: UTF8.self), "offset \(offset)")
            }
        }
    }
}
