/// XML 1.0 documents built on UTF-8 bytes, for the feeds of the published side. Element and
/// attribute names are static text of our own; every value passes through one escaping
/// routine, so no text reaches the document unescaped. Characters XML 1.0 cannot carry at
/// all (controls other than tab, line feed and carriage return; U+FFFE, U+FFFF) are left out.
public struct XMLWriter {
    public private(set) var bytes: [UInt8] = []

    /// Starts a document with its XML declaration.
    public init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
        bytes.append(contentsOf: #"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
        bytes.append(UInt8(ascii: "\n"))
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// `<name attributes…>content</name>`.
    public mutating func element(
        _ name: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:], _ content: (inout XMLWriter) -> Void
    ) {
        open(name, attributes)
        bytes.append(UInt8(ascii: ">"))
        content(&self)
        close(name)
    }

    /// `<name attributes…>text</name>`.
    public mutating func element(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:], text: String) {
        element(name, attributes) { writer in writer.text(text) }
    }

    /// `<name attributes…/>`.
    public mutating func emptyElement(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:]) {
        open(name, attributes)
        bytes.append(contentsOf: "/>".utf8)
    }

    /// Character data, escaped.
    public mutating func text(_ value: String) {
        appendEscaped(value, inAttribute: false)
    }

    private mutating func open(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String>) {
        bytes.append(UInt8(ascii: "<"))
        append(name)
        for (attribute, value) in attributes {
            bytes.append(UInt8(ascii: " "))
            append(attribute)
            bytes.append(contentsOf: "=\"".utf8)
            appendEscaped(value, inAttribute: true)
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private mutating func close(_ name: StaticString) {
        bytes.append(contentsOf: "</".utf8)
        append(name)
        bytes.append(UInt8(ascii: ">"))
    }

    private mutating func append(_ name: StaticString) {
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `&`, `<` and `>` as entities (`>` too, so `]]>` never appears); in an attribute also
    /// `"`, and tab, line feed and carriage return as character references, which a parser
    /// would otherwise turn into spaces; a carriage return in text likewise, which a parser
    /// would otherwise drop. Forbidden characters are skipped; the rest is copied in runs.
    private mutating func appendEscaped(_ value: String, inAttribute: Bool) {
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                var length = 1
                let replacement: StaticString?
                switch byte {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\"") where inAttribute: replacement = "&quot;"
                case 0x09 where inAttribute: replacement = "&#9;"
                case 0x0A where inAttribute: replacement = "&#10;"
                case 0x0D: replacement = "&#13;"
                case 0x09, 0x0A: replacement = nil
                case ..<0x20: replacement = ""
                // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8.
                case 0xEF where index + 2 < utf8.count && utf8[index + 1] == 0xBF && utf8[index + 2] >= 0xBE:
                    replacement = ""
                    length = 3
                default: replacement = nil
                }
                if let replacement {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                    replacement.withUTF8Buffer { bytes.append(contentsOf: $0) }
                    start = index + length
                }
                index += length
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
    }
}
