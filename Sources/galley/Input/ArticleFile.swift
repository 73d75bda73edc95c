import Foundation
import GalleyCore

/// The JSON of `articles create --file` and `articles edit --file`.
struct ArticleFile: Decodable {
    struct SourceEntry: Decodable {
        let url: String
        let outlet: String
        let title: String?
        let retrievedAt: Date?

        enum CodingKeys: String, CodingKey {
            case url, outlet, title
            case retrievedAt = "retrieved_at"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            url = try container.decode(String.self, forKey: .url)
            outlet = try container.decode(String.self, forKey: .outlet)
            title = try container.decodeIfPresent(String.self, forKey: .title)
            // A time that cannot be read is refused, not dropped: the source would lose it silently.
            retrievedAt = try container.decodeIfPresent(String.self, forKey: .retrievedAt).map { text in
                guard let date = RFC3339.parse(text) else {
                    throw DecodingError.dataCorruptedError(forKey: .retrievedAt, in: container, debugDescription: RFC3339.requirement)
                }
                return date
            }
        }

        var source: Source {
            Source(url: url, outlet: outlet, title: title ?? "", retrievedAt: retrievedAt)
        }
    }

    let title: String
    let dek: String?
    let body: String
    let section: String?
    let tags: [String]?
    let slug: String?
    let sources: [SourceEntry]?
    let insight: String?
    let disclosure: String?

    func content() throws -> ArticleContent {
        try ArticleContent(
            title: title, dek: dek ?? "", body: body, insight: insight, disclosure: disclosure, sources: (sources ?? []).map(\.source))
    }

    /// Reads `path` (`-` for stdin) or fails with a usage error that names the file.
    static func load(_ path: String) throws -> ArticleFile {
        let data = try InputFile.read(path)
        return try InputFile.decode(ArticleFile.self, from: data, what: path == "-" ? "stdin" : path)
    }
}

/// Reading input files, with errors that say which file and what is wrong with it.
enum InputFile {
    static func read(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("Cannot read \(path).", hint: "Check the path and that the file is readable.")
        }
        return data
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw CLIError("\(what) is not valid: \(describe(error)).", hint: "See docs/cli.md for the fields it takes.")
        }
    }

    /// A DecodingError as a short phrase: which field, what was wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return "field \(parent.isEmpty ? "" : parent + ".")\(key.stringValue) is missing"
        case .typeMismatch(let type, let context):
            return "field \(path(context.codingPath)) should be \(describe(type))"
        case .valueNotFound(let type, let context):
            return "field \(path(context.codingPath)) should be \(describe(type)), not null"
        case .dataCorrupted(let context):
            let at = path(context.codingPath)
            return at.isEmpty ? "it is not JSON" : "field \(at) is malformed: \(context.debugDescription)"
        @unknown default:
            return "it cannot be read"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
