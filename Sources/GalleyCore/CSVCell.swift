/// One cell of a CSV export, the rule every exporter shares.
public enum CSVCell {
    /// `text` as a CSV cell: a cell a spreadsheet would take for a formula (it starts with
    /// `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP advises
    /// against CSV injection; then a cell with a comma, quote or line break is quoted and its
    /// quotes doubled (RFC 4180).
    public static func escape(_ text: String) -> String {
        var cell = text
        if let first = cell.unicodeScalars.first, formulaStarts.contains(first) { cell = "'" + cell }
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `escape(text)` appended as UTF-8. ASCII text (nearly every cell) is escaped byte by
    /// byte, where a character is a byte and the rule reads the same; other text goes through
    /// `escape` itself.
    public static func append(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = text.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else {
            bytes.append(contentsOf: escape(text).utf8)
            return
        }
        appendASCII(utf8, to: &bytes)
    }

    /// What `append(String(decoding: utf8, as: UTF8.self))` appends: ASCII (that String's
    /// very bytes) escaped from the bytes, other text through that String.
    public static func append(utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        if utf8.isASCII {
            appendASCII(utf8, to: &bytes)
        } else {
            append(String(decoding: utf8, as: UTF8.self), to: &bytes)
        }
    }

    private static func appendASCII(_ utf8: some Collection<UInt8>, to bytes: inout [UInt8]) {
        let quoted = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if quoted { bytes.append(UInt8(ascii: "\"")) }
        if let first = utf8.first, formulaStartBytes.contains(first) { bytes.append(UInt8(ascii: "'")) }
        if quoted {
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: utf8)
        }
    }

    private static let formulaStartBytes: [UInt8] = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D]

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
