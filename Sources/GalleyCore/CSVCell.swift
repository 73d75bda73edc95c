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

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
