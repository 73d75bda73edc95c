import Crypto
import Foundation

/// An outlet document a revision relies on.
public struct Source: Codable, Sendable, Equatable, Hashable {
    public var url: String
    public var outlet: String
    public var title: String
    public var retrievedAt: Date?

    public init(url: String, outlet: String, title: String, retrievedAt: Date? = nil) {
        self.url = url
        self.outlet = outlet
        self.title = title
        self.retrievedAt = retrievedAt
    }

    enum CodingKeys: String, CodingKey {
        case url, outlet, title
        case retrievedAt = "retrieved_at"
    }
}

/// The text of one revision. Creating one normalises it (Unicode NFC, LF line endings,
/// trimmed single-line fields), validates it, and computes its content hash.
public struct ArticleContent: Sendable, Equatable {
    public let title: String
    public let dek: String
    public let body: String
    public let insight: String?
    public let disclosure: String?
    public let sources: [Source]
    /// SHA-256 over `canonicalForm`, hex.
    public let contentHash: String

    public static let maxBodyBytes = 1_000_000

    public init(
        title: String, dek: String, body: String, insight: String? = nil, disclosure: String? = nil, sources: [Source]
    ) throws(GalleyError) {
        self.title = Self.line(title)
        self.dek = Self.line(dek)
        self.body = Self.text(body)
        self.insight = insight.map(Self.text).flatMap { $0.isEmpty ? nil : $0 }
        self.disclosure = disclosure.map(Self.text).flatMap { $0.isEmpty ? nil : $0 }
        self.sources = sources.map {
            Source(url: Self.line($0.url), outlet: Self.line($0.outlet), title: Self.line($0.title), retrievedAt: $0.retrievedAt)
        }
        var problems = [
            Validation.nulProblem("title", self.title), Validation.nulProblem("dek", self.dek), Validation.nulProblem("body", self.body),
            Validation.nulProblem("insight", self.insight), Validation.nulProblem("disclosure", self.disclosure),
        ].compactMap { $0 }
        for (index, source) in self.sources.enumerated() {
            problems += [
                Validation.nulProblem("sources[\(index)].url", source.url), Validation.nulProblem("sources[\(index)].outlet", source.outlet),
                Validation.nulProblem("sources[\(index)].title", source.title),
            ].compactMap { $0 }
        }
        if self.title.isEmpty { problems.append(.init(field: "title", message: "must not be empty")) }
        if self.title.count > 300 { problems.append(.init(field: "title", message: "must be at most 300 characters")) }
        if self.dek.count > 1_000 { problems.append(.init(field: "dek", message: "must be at most 1,000 characters")) }
        if self.body.isEmpty { problems.append(.init(field: "body", message: "must not be empty")) }
        if self.body.utf8.count > Self.maxBodyBytes { problems.append(.init(field: "body", message: "must be at most 1 MB")) }
        for (index, source) in self.sources.enumerated() {
            if !WebLink.isValid(source.url) {
                problems.append(.init(field: "sources[\(index)].url", message: WebLink.requirement))
            }
            if source.outlet.isEmpty { problems.append(.init(field: "sources[\(index)].outlet", message: "must not be empty")) }
        }
        if !problems.isEmpty { throw .validation(problems) }
        contentHash = Self.hash(
            Self.canonicalForm(
                title: self.title, dek: self.dek, body: self.body, insight: self.insight, disclosure: self.disclosure,
                sources: self.sources))
    }

    /// Restores stored content without recomputing anything; for reads from the database.
    public init(stored title: String, dek: String, body: String, insight: String?, disclosure: String?, sources: [Source], contentHash: String) {
        self.title = title
        self.dek = dek
        self.body = body
        self.insight = insight
        self.disclosure = disclosure
        self.sources = sources
        self.contentHash = contentHash
    }

    /// The exact bytes the content hash covers (see docs/content-hash.md): a version line,
    /// then each field as `name:<UTF-8 byte count>:<text>` and a newline, in a fixed order;
    /// an absent field is `name:-`. Sources are sorted by URL, outlet and title, so their
    /// order does not change the hash; their retrieval time is not content.
    public static func canonicalForm(
        title: String, dek: String, body: String, insight: String?, disclosure: String?, sources: [Source]
    ) -> String {
        func field(_ name: String, _ value: String?) -> String {
            guard let value else { return "\(name):-\n" }
            return "\(name):\(value.utf8.count):\(value)\n"
        }
        var out = "galley-content/1\n"
        out += field("title", title)
        out += field("dek", dek)
        out += field("body", body)
        out += field("insight", insight)
        out += field("disclosure", disclosure)
        let ordered = sources.sorted { ($0.url, $0.outlet, $0.title) < ($1.url, $1.outlet, $1.title) }
        out += "sources:\(ordered.count)\n"
        for source in ordered {
            out += field("source.url", source.url)
            out += field("source.outlet", source.outlet)
            out += field("source.title", source.title)
        }
        return out
    }

    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Line breaks as `\n`, Unicode NFC, no surrounding white space. Foundation's string
    /// methods are slow on Linux (they go through UTF-16), so each step first checks cheaply
    /// whether it would change anything and is skipped when it would not.
    private static func text(_ value: String) -> String {
        var value = value
        if value.utf8.contains(UInt8(ascii: "\r")) {
            value = value.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        if !isNFC(value) { value = value.precomposedStringWithCanonicalMapping }
        if needsTrimming(value) { value = value.trimmingWhiteSpace() }
        return value
    }

    /// True when the text is certainly in NFC already: every scalar is below U+0300 (none of
    /// those has a canonical decomposition or a non-zero combining class, and none composes
    /// with what precedes it), or is typographic punctuation in U+2010…U+2027 (dashes,
    /// quotes, bullets, ellipsis; likewise inert under NFC). Anything else takes Foundation's path.
    static func isNFC(_ value: String) -> Bool {
        if value.utf8.allSatisfy({ $0 < 0x80 }) { return true }
        return value.unicodeScalars.allSatisfy { $0.value < 0x300 || (0x2010...0x2027).contains($0.value) }
    }

    /// False when the first and last characters are ASCII and not white space, so that
    /// trimming `.whitespacesAndNewlines` could not remove anything.
    static func needsTrimming(_ value: String) -> Bool {
        guard let first = value.utf8.first, let last = value.utf8.last else { return false }
        func keeps(_ byte: UInt8) -> Bool { byte < 0x80 && byte != 0x20 && !(0x09...0x0d).contains(byte) }
        return !(keeps(first) && keeps(last))
    }

    private static func line(_ value: String) -> String {
        text(value).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
