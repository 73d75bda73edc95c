import Foundation
import Galley
import GalleyCore
import GalleyOutput

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

struct GenerationPatch: Decodable, Sendable {
    var status: String
    var output: ContentInput?
    var error: String?
    var usage: UsageDTO?
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
