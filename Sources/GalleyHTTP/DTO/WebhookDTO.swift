import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct WebhookInput: Decodable, Sendable {
    var url: String
    var event_types: [String]?
}

/// `PATCH`: `status` active or paused; `event_types` a list, or null for every type.
struct WebhookPatch: Decodable, Sendable {
    var status: String?
    var event_types: [String]??

    enum CodingKeys: String, CodingKey { case status, event_types }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        if container.contains(.event_types) {
            event_types = .some(try container.decodeNil(forKey: .event_types) ? nil : try container.decode([String].self, forKey: .event_types))
        }
    }
}

struct WebhookDTO: Encodable, Sendable {
    var id: String
    var url: String
    var event_types: [String]?
    var status: String
    var paused_reason: String?
    var consecutive_failures: Int
    var created_by: String
    var created_at: Date
    var updated_at: Date
    /// Only in the response that creates the webhook.
    var secret: String?

    init(_ webhook: Webhook, secret: String? = nil) {
        id = webhook.id.wire
        url = webhook.url
        event_types = webhook.eventTypes
        status = webhook.status
        paused_reason = webhook.pausedReason
        consecutive_failures = webhook.consecutiveFailures
        created_by = webhook.createdBy
        created_at = webhook.createdAt
        updated_at = webhook.updatedAt
        self.secret = secret
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(url, forKey: .url)
        try container.encode(event_types, forKey: .event_types)
        try container.encode(status, forKey: .status)
        try container.encode(paused_reason, forKey: .paused_reason)
        try container.encode(consecutive_failures, forKey: .consecutive_failures)
        try container.encode(created_by, forKey: .created_by)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(updated_at, forKey: .updated_at)
        try container.encodeIfPresent(secret, forKey: .secret)
    }

    enum CodingKeys: String, CodingKey {
        case id, url, event_types, status, paused_reason, consecutive_failures, created_by, created_at, updated_at, secret
    }
}

struct WebhookDeliveryDTO: Encodable, Sendable {
    var id: String
    var webhook_id: String
    var event_id: String
    var event_type: String
    var article_id: String?
    var status: String
    var attempts: Int
    var next_attempt_at: Date?
    var last_status: Int?
    var last_error: String?
    var response_excerpt: String?
    var redelivery_of: String?
    var created_at: Date
    var updated_at: Date

    init(_ delivery: WebhookDelivery) {
        id = delivery.id.wire
        webhook_id = delivery.webhookID.wire
        event_id = String(delivery.eventID)
        event_type = delivery.eventType
        article_id = delivery.articleID.wire
        status = delivery.status
        attempts = delivery.attempts
        next_attempt_at = delivery.status == "pending" ? delivery.nextAttemptAt : nil
        last_status = delivery.lastStatus
        last_error = delivery.lastError
        response_excerpt = delivery.responseExcerpt
        redelivery_of = delivery.redeliveryOf.wire
        created_at = delivery.createdAt
        updated_at = delivery.updatedAt
    }
}

struct WebhookAttemptDTO: Encodable, Sendable {
    var attempt: Int
    var started_at: Date
    var duration_ms: Int
    var status_code: Int?
    var error: String?
    var response_excerpt: String?

    init(_ attempt: WebhookAttempt) {
        self.attempt = attempt.attempt
        started_at = attempt.startedAt
        duration_ms = attempt.durationMilliseconds
        status_code = attempt.statusCode
        error = attempt.error
        response_excerpt = attempt.responseExcerpt
    }
}
