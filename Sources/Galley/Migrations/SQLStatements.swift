import GalleyCore

/// Splits a migration script into its statements, for a migration that runs outside a
/// transaction: PostgreSQL runs a script sent at once as one implicit transaction, where
/// `CREATE INDEX CONCURRENTLY` is refused. Semicolons inside quotes, quoted identifiers,
/// dollar-quoted bodies and comments do not end a statement.
enum SQLStatements {
    static func split(_ script: String) -> [String] {
        let text = Array(script.unicodeScalars)
        var statements: [String] = []
        var start = 0
        var index = 0
        func at(_ offset: Int) -> Unicode.Scalar? { index + offset < text.count ? text[index + offset] : nil }
        func skip(past terminator: [Unicode.Scalar]) {
            while index < text.count {
                if Array(text[index..<min(text.count, index + terminator.count)]) == terminator {
                    index += terminator.count
                    return
                }
                index += 1
            }
        }
        func finish(upTo end: Int) {
            let statement = String(String.UnicodeScalarView(text[start..<end])).trimmingWhiteSpace()
            if !statement.isEmpty && !isOnlyComments(statement) { statements.append(statement) }
        }
        while index < text.count {
            switch text[index] {
            case "-" where at(1) == "-":
                skip(past: ["\n"])
            case "/" where at(1) == "*":
                index += 2
                skip(past: ["*", "/"])
            case "'", "\"":
                let quote = text[index]
                index += 1
                skip(past: [quote])  // a doubled quote reads as two quoted runs: same outcome
            case "$":
                var end = index + 1
                while end < text.count, text[end] == "_" || text[end].properties.isAlphabetic || ("0"..."9").contains(text[end]) {
                    end += 1
                }
                if end < text.count, text[end] == "$" {
                    let tag = Array(text[index...end])
                    index = end + 1
                    skip(past: tag)
                } else {
                    index += 1
                }
            case ";":
                finish(upTo: index)
                index += 1
                start = index
            default:
                index += 1
            }
        }
        finish(upTo: text.count)
        return statements
    }

    private static func isOnlyComments(_ statement: String) -> Bool {
        statement.split(separator: "\n").allSatisfy { $0.trimmingWhiteSpace().isEmpty || $0.trimmingWhiteSpace().hasPrefix("--") }
    }
}
