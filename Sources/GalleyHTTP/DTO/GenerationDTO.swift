import Foundation
import Galley
import GalleyCore

struct BriefDTO: Codable, Sendable {
    var section: String
    var tags: [String]?
    var title: String?
}

struct NewGenerationInput: Decodable, Sendable {
    var article_id: UUID?
    var brief: BriefDTO?
    var model: String
    var model_version: String
    var prompt_version: String
    var sources: [SourceDTO]?
    var parameters: JSONValue?
    var max_attempts: Int?
}

struct UsageDTO: Codable, Sendable {
    var input_tokens: Int?
    var output_tokens: Int?
}

struct GenerationPatch: Decodable, Sendable {
    var status: String
    var output: ContentInput?
    var error: String?
    var usage: UsageDTO?
}

struct GenerationDTO: Encodable, Sendable {
    var id: String
    var article_id: String?
    var revision: Int?
    var brief: BriefDTO?
    var model: String
    var model_version: String
    var prompt_version: String
    var parameters: JSONValue
    var sources: [SourceDTO]
    var status: String
    var attempt: Int
    var max_attempts: Int
    var usage: UsageDTO
    var error: String?
    var created_at: Date
    var started_at: Date?
    var finished_at: Date?
    var updated_at: Date

    init(_ generation: Generation) {
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

struct PublishBatchInput: Decodable, Sendable {
    var article_ids: [UUID]
    var atomic: Bool?
    var correction_note: String?
}

struct PublishBatchDTO: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        var article_id: String
        var status: String
        var error: String?
    }
    var id: String
    var atomic: Bool
    var results: [Item]
}
