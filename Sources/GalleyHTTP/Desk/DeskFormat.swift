import Foundation
import GalleyCore
import Hummingbird

/// How the desk's pages write times and links, and read the values of their GET forms.
enum DeskFormat {
    /// A time as people read it, to the minute: `2026-12-07 09:30 UTC`.
    static func time(_ date: Date) -> String {
        let text = RFC3339.format(date)
        guard text.count >= 16 else { return text }
        return text.prefix(16).replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    /// At most `limit` characters of `text`, cut with an ellipsis: a free text (a reason, a
    /// note) in a list, so that a page stays small however long the texts were.
    static func excerpt(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : text.prefix(limit - 1) + "…"
    }

    /// "states": `from → to` for a move, the state alone when it stayed.
    static func states(from: String?, to: String?) -> String? {
        guard let from, let to, from != to else { return to ?? from }
        return "\(from) → \(to)"
    }

    /// A time written in a form: RFC 3339, or what a `datetime-local` field sends
    /// (`2026-12-07T09:30`, read as UTC).
    static func parseTime(_ text: String) -> Date? {
        if let date = RFC3339.parse(text) { return date }
        let bytes = Array(text.utf8)
        guard bytes.count == 16 || bytes.count == 19 else { return nil }
        return RFC3339.parse(text + (bytes.count == 16 ? ":00Z" : "Z"))
    }

    /// `path` with the query's non-empty fields, percent-encoded, in the order given.
    static func link(_ path: String, _ fields: [(String, String?)]) -> String {
        let pairs = fields.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return name + "=" + (value.addingPercentEncoding(withAllowedCharacters: queryValue) ?? "")
        }
        return pairs.isEmpty ? path : path + "?" + pairs.joined(separator: "&")
    }

    /// RFC 3986's unreserved characters: everything else is percent-encoded.
    private static let queryValue = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

/// A refusal shown on the page it concerns, in the domain's words, with the status the API
/// would answer. An outage is no refusal: it is thrown on, so `DeskErrorPages` logs it and
/// answers with the fixed words that never show the database's own text.
struct DeskNotice: Sendable {
    let message: String
    let status: HTTPResponse.Status

    init(_ error: GalleyError) throws {
        if case .unavailable = error { throw error }
        let problem = Problem(error)
        message = problem.detail
        status = problem.status
    }
}
