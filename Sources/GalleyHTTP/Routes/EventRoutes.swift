import Foundation
import Galley
import GalleyCore
import GalleyOutput
import HTTPTypes
import Hummingbird
import ServiceLifecycle

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
        let resume = request.headers[.lastEventID] ?? request.query("after")
        var position: EventStreamService.Position
        if let resume {
            guard let parsed = EventStreamService.Position(resume) else {
                throw Problem.invalid("Last-Event-ID", "must be an event id this stream sent, such as 812-1042")
            }
            position = parsed
        } else if request.query("from") == "start" {
            position = .start
        } else {
            position = try await services.events.now(filter: filter, by: caller)
        }
        // Fail before the stream starts if the caller may not read it.
        _ = try await services.events.read(after: position, limit: 1, filter: filter, by: caller)
        let services = services
        let notifier = notifier
        let start = position
        let body = ResponseBody { writer in
            var position = start
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            var idle = ContinuousClock.now
            // Ends on graceful shutdown, so open streams do not hold a stopping server up.
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                let seen = notifier?.current ?? 0
                let events: [EventStreamService.Event]
                do {
                    events = try await services.events.read(after: position, limit: 100, filter: filter, by: caller)
                } catch GalleyError.unauthenticated {
                    // A client that reconnects is told why, with 401.
                    try await writer.write(ByteBuffer(string: ": the token no longer authenticates; the stream ends\n\n"))
                    break
                }
                for event in events {
                    let data = String(decoding: try WireJSON.encoder.encode(WebhookEventBody(event.payload, article: nil)), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "id: \(event.position)\nevent: \(event.type)\ndata: \(data)\n\n"))
                    position = event.position
                }
                if !events.isEmpty {
                    idle = ContinuousClock.now
                    continue
                }
                if ContinuousClock.now - idle > .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    idle = ContinuousClock.now
                }
                // A notification means a new event; the timeout also catches events held
                // back until an older transaction finished.
                if let notifier {
                    await notifier.wait(after: seen, timeout: .seconds(1))
                } else {
                    try await Task.sleep(for: .seconds(1))
                }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
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
