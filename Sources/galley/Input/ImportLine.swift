import Foundation
import Galley
import GalleyCore

/// One line of `galley import`: an AI draft and its provenance.
///
///     {"model": "gpt-x", "model_version": "2026-10", "prompt_version": "analysis-v3",
///      "parameters": {"temperature": 0.2}, "usage": {"input_tokens": 1200, "output_tokens": 800},
///      "section": "politics", "tags": ["venezuela"], "title": "…", "dek": "…", "body": "…",
///      "insight": "…", "disclosure": "…", "sources": [{"url": "…", "outlet": "…", "title": "…"}]}
struct ImportLine: Decodable {
    struct Usage: Decodable {
        let inputTokens: Int?
        let outputTokens: Int?
        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
        }
    }

    let model: String
    let modelVersion: String
    let promptVersion: String
    let parameters: JSONValue?
    let usage: Usage?
    let section: String
    let tags: [String]?
    let slug: String?
    let title: String
    let dek: String?
    let body: String
    let insight: String?
    let disclosure: String?
    let sources: [ArticleFile.SourceEntry]?

    enum CodingKeys: String, CodingKey {
        case model, parameters, usage, section, tags, slug, title, dek, body, insight, disclosure, sources
        case modelVersion = "model_version"
        case promptVersion = "prompt_version"
    }

    /// The line as a draft for the import service, or the error that names what is wrong.
    static func draft(_ text: String, line: Int) throws -> ImportService.Draft {
        let decoded = try InputFile.decode(ImportLine.self, from: Data(text.utf8), what: "Line \(line)")
        let sources = (decoded.sources ?? []).map(\.source)
        let content = try ArticleContent(
            title: decoded.title, dek: decoded.dek ?? "", body: decoded.body, insight: decoded.insight,
            disclosure: decoded.disclosure, sources: sources)
        return ImportService.Draft(
            line: line, section: decoded.section, tags: decoded.tags ?? [], slug: decoded.slug, content: content,
            model: decoded.model, modelVersion: decoded.modelVersion, promptVersion: decoded.promptVersion,
            parameters: decoded.parameters ?? [:], sources: sources, inputTokens: decoded.usage?.inputTokens,
            outputTokens: decoded.usage?.outputTokens)
    }
}
