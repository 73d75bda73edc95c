import Foundation
import GalleyCore
import GalleyOutput

/// Everything `galley` writes: results on stdout (tables for people, JSON for scripts),
/// errors and progress on stderr.
enum Output {
    static func line(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// One sentence that says what went wrong, and a hint on the line below.
    static func error(_ message: String, hint: String?) {
        var text = "galley: " + message + "\n"
        if let hint { text += "hint: " + hint + "\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// One JSON document, for `--json`, in the API's JSON (`WireJSON`).
    static func json(_ value: some Encodable) throws {
        line(String(decoding: try WireJSON.prettyEncoder.encode(value), as: UTF8.self))
    }

    /// One compact JSON document without a newline, for JSON Lines.
    static func jsonLine(_ value: some Encodable) throws -> String {
        String(decoding: try WireJSON.encoder.encode(value), as: UTF8.self)
    }

    /// Aligned columns under upper-case headers; the last column is not padded.
    static func table(_ headers: [String], _ rows: [[String]]) {
        let all = [headers.map { $0.uppercased() }] + rows
        var widths = Array(repeating: 0, count: headers.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        for row in all {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            line(String(cells.joined(separator: "  ").reversed().drop { $0 == " " }.reversed()))
        }
    }

    /// `Label:  value` lines with aligned values.
    static func fields(_ pairs: [(String, String)]) {
        let width = (pairs.map(\.0.count).max() ?? 0) + 1
        for (label, value) in pairs {
            line((label + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0) + value)
        }
    }

    /// A time for people: `2026-12-01 09:00:00Z`.
    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        let text = RFC3339.format(date)
        guard let dot = text.firstIndex(of: ".") else { return text.replacingOccurrences(of: "T", with: " ") }
        return text[..<dot].replacingOccurrences(of: "T", with: " ") + "Z"
    }

    static func shorten(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
