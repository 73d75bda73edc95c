import Foundation
import Galley
import GalleyCore
import GalleyOutput
import HTTPTypes
import Hummingbird

/// `GET /v1/events`: published events as Server-Sent Events, resumable with `Last-Event-ID`,
/// optionally only some types (`type`, comma-separated), one article (`article_id`) or the
/// articles the caller works on (`for=me`). The stream ends when the caller's token stops
/// authenticating (revoked, expired, actor deactivated): each read confirms it.
struct EventRoutes {
    let services: GalleyServices
    let notifier: EventNotifier?

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.get("events", use: stream)
    }

    @Sendable func stream(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let filter = try Self.filter(request)
        let start = try await EventStreamResponse.start(
            resume: request.headers[.lastEventID] ?? request.query("after"), fromStart: request.query("from") == "start", filter: filter,
            services: services, caller: caller)
        return try await EventStreamResponse.make(
            from: start, filter: filter, caller: caller, services: services, notifier: notifier,
            farewell: "the token no longer authenticates; the stream ends")
    }
}

extension EventRoutes {
    static func filter(_ request: Request) throws -> EventStreamService.Filter {
        var filter = EventStreamService.Filter()
        if let text = request.typedQuery("type") {
            let types = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if let unknown = types.first(where: { !WebhookEventType.all.contains($0) }) {
                throw Problem.invalid(
                    "type",
                    "\(unknown.isEmpty ? "an empty name" : unknown) is not an event type; use one or more of "
                        + WebhookEventType.all.joined(separator: ", ") + ", separated by commas")
            }
            filter.types = types
        }
        if let text = request.typedQuery("article_id") {
            guard let id = UUIDFormat.parse(text) else { throw Problem.invalid("article_id", "must be an article's UUID") }
            filter.articleID = id
        }
        if let text = request.typedQuery("for") {
            guard text == "me" else { throw Problem.invalid("for", "must be me (the articles you are assigned to or commented on)") }
            filter.forMe = true
        }
        return filter
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
