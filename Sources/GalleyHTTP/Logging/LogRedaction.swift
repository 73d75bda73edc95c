import Foundation

/// Takes passwords out of connection strings before a line is written, in either format: an
/// error from the database layer may quote `DATABASE_URL` (`postgresql://user:secret@host/db`)
/// or a `password=secret` keyword. Tokens, session ids and webhook secrets are never put in
/// log metadata in the first place (a test reads a whole server's log for them).
enum LogRedaction {
    static func redacted(_ text: String) -> String {
        // Most values hold neither marker; they are returned without a copy, after one pass
        // over their bytes (every value of every line goes through here).
        let marked =
            text.utf8.withContiguousStorageIfAvailable { bytes in
                bytes.contains { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "=") }
            } ?? text.utf8.contains { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "=") }
        guard marked else { return text }
        return redactingKeywordPasswords(redactingURLPasswords(text))
    }

    /// `scheme://user:password@` → `scheme://user:***@`.
    private static func redactingURLPasswords(_ text: String) -> String {
        guard text.contains("://") else { return text }
        var result = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            result += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" || $0 == " " } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                result += authority[...colon]
                result += "***"
                rest = rest[at...]
            }
        }
        return result + rest
    }

    /// `password=secret` (a libpq keyword, or a form field) → `password=***`.
    private static func redactingKeywordPasswords(_ text: String) -> String {
        guard text.range(of: "password=", options: .caseInsensitive) != nil else { return text }
        var result = ""
        var rest = Substring(text)
        while let keyword = rest.range(of: "password=", options: .caseInsensitive) {
            result += rest[..<keyword.upperBound]
            result += "***"
            rest = rest[keyword.upperBound...]
            rest = rest[(rest.firstIndex { $0 == " " || $0 == "&" || $0 == "\"" } ?? rest.endIndex)...]
        }
        return result + rest
    }
}
