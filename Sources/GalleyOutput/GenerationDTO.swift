import Foundation
import Galley
import GalleyCore

// A generation as the API and the CLI write it.

/// What a generation was asked to write (also read from request bodies).
public struct BriefDTO: Codable, Sendable {
    public var section: String
    public var tags: [String]?
    public var title: String?

    public init(section: String, tags: [String]?, title: String?) {
        self.section = section
        self.tags = tags
        self.title = title
    }
}

/// The tokens a generation used, as its model reported them.
public struct UsageDTO: Codable, Sendable {
    public var input_tokens: Int?
    public var output_tokens: Int?

    public init(input_tokens: Int?, output_tokens: Int?) {
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
    }
}

/// A generation: an AI model's attempt at a draft, and its provenance.
public struct GenerationDTO: Encodable, Sendable {
    public var id: String
    public var article_id: String?
    public var revision: Int?
    public var brief: BriefDTO?
    public var model: String
    public var model_version: String
    public var prompt_version: String
    public var parameters: JSONValue
    public var sources: [SourceDTO]
    public var status: String
    public var attempt: Int
    public var max_attempts: Int
    public var usage: UsageDTO
    public var error: String?
    public var created_at: Date
    public var started_at: Date?
    public var finished_at: Date?
    public var updated_at: Date

    public init(_ generation: Generation) {
        id = generation.id.wire
        article_id = generation.articleID.wire
        revision = generation.revision
        brief = generation.brief.map { BriefDTO(section: $0.section, tags: $0.tags, title: $0.title) }
        model = generation.model
        model_version = generation.modelVersion
        prompt_version = generation.promptVersion
        parameters = generation.parameters
        sources = generation.sources.map(SourceDTO.init)
        status = generation.status.rawValue
        attempt = generation.attempt
        max_attempts = generation.maxAttempts
        usage = UsageDTO(input_tokens: generation.inputTokens, output_tokens: generation.outputTokens)
        error = generation.error
        created_at = generation.createdAt
        started_at = generation.startedAt
        finished_at = generation.finishedAt
        updated_at = generation.updatedAt
    }
}
