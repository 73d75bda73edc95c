import Foundation
import GalleyCore
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The feeds are written by `XMLWriter`: whatever text an article holds, the document
/// parses, and a parser reads back the text minus what XML 1.0 cannot carry.
@Suite struct XMLWriterTests {
    static let hostile = [
        "plain", "", "a < b && c > d", "]]> ends CDATA", "<script>alert(\"x\")</script>", "quote \" apostrophe '",
        "tab\tline\ncarriage\rreturn", "control \u{01}\u{08}\u{0B}\u{0C}\u{1B}\u{1F} gone", "non-characters \u{FFFE}\u{FFFF} gone",
        "emoji 😀 ünïcödé \u{2028} \u{FFFD} \u{10FFFF}", "&amp; already escaped", "\u{7F}\u{85} allowed",
    ]

    static func expected(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.filter { $0.value >= 0x20 || [0x09, 0x0A, 0x0D].contains($0.value) }
                    .filter { $0.value != 0xFFFE && $0.value != 0xFFFF }))
    }

    @Test(arguments: hostile) func textAndAttributesReadBackAsWritten(text: String) throws {
        var writer = XMLWriter()
        writer.element("doc", ["value": text]) { writer in
            writer.element("item", text: text)
        }
        let read = try Self.parse(writer.bytes)
        #expect(read.attribute == Self.expected(text))
        #expect(read.text == Self.expected(text))
        #expect(!writer.text.contains("]]>"))
    }

    @Test func writesADeclarationAndNestedElements() {
        var writer = XMLWriter()
        writer.element("a", ["xmlns": "urn:x"]) { writer in
            writer.emptyElement("b", ["c": "1 & 2"])
            writer.element("d", text: "<e>")
        }
        #expect(writer.text == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a xmlns=\"urn:x\"><b c=\"1 &amp; 2\"/><d>&lt;e&gt;</d></a>")
    }

    static func parse(_ bytes: [UInt8]) throws -> (attribute: String?, text: String) {
        let reader = Reader()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = reader
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.coderReadCorrupt) }
        return (reader.attribute, reader.text)
    }

    final class Reader: NSObject, XMLParserDelegate {
        var attribute: String?
        var text = ""
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]
        ) {
            if name == "doc" { attribute = attributes["value"] }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }
}
