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
}
