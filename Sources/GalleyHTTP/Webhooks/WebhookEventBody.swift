import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Postgres

/// The JSON body of a webhook delivery (docs/events.md).
struct WebhookEventBody: Encodable, Sendable {
    /// The audit event's id: the same for every attempt and redelivery, so receivers can dedupe.
    var id: String
    var type: String
    var time: Date?
    var actor: String
    /// The article as `GET /v1/articles/{id}` shows it when the delivery is first attempted.
    var article: ArticleDTO?
    var event: Event

    struct Event: Encodable, Sendable {
        var article_id: String?
        var revision: Int?
        var from_state: String?
        var to_state: String?
        var reason: String?
        var details: JSONValue
    }

    init(_ payload: JSONValue, article: ArticleDetail?) {
        id = payload["id"]?.stringValue ?? ""
        type = payload["type"]?.stringValue ?? ""
        time = payload["time"]?.stringValue.flatMap(PostgresTimestamp.parse)
        actor = payload["actor"]?.stringValue ?? ""
        self.article = article.map(ArticleDTO.init)
        var revision: Int?
        if case .number(let number)? = payload["revision"] { revision = Int(number) }
        event = Event(
            article_id: payload["article_id"]?.stringValue, revision: revision, from_state: payload["from_state"]?.stringValue,
            to_state: payload["to_state"]?.stringValue, reason: payload["reason"]?.stringValue, details: payload["details"] ?? [:])
    }
}
