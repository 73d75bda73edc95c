import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird
import ServiceLifecycle

/// Published events as Server-Sent Events, for `GET /v1/events` (a bearer token) and the
/// desk's `/desk/events` (a session cookie): one loop, whatever the credential. The stream
/// ends when the caller's credential dies (token revoked or expired, session ended, actor
/// deactivated): each read confirms it.
enum EventStreamResponse {
    /// Where a stream starts: after the event `resume` names (`Last-Event-ID`), at the
    /// beginning of the stream, or after what is final now.
    static func start(
        resume: String?, fromStart: Bool, filter: EventStreamService.Filter, services: GalleyServices, caller: Caller
    ) async throws -> EventStreamService.Position {
        if let resume {
            guard let parsed = EventStreamService.Position(resume) else {
                throw Problem.invalid("Last-Event-ID", "must be an event id this stream sent, such as 812-1042")
            }
            return parsed
        }
        if fromStart { return .start }
        return try await services.events.now(filter: filter, by: caller)
    }

    /// The stream from `start`; refused before it starts if the caller may not read it.
    /// `farewell` is the comment sent when the caller's credential stops authenticating.
    static func make(
        from start: EventStreamService.Position, filter: EventStreamService.Filter, caller: Caller, services: GalleyServices,
        notifier: EventNotifier?, farewell: String
    ) async throws -> Response {
        _ = try await services.events.read(after: start, limit: 1, filter: filter, by: caller)
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
                    // A client that reconnects is told why by its refusal.
                    try await writer.write(ByteBuffer(string: ": \(farewell)\n\n"))
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
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}
