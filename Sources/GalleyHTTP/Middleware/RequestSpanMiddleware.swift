import Galley
import HTTPTypes
import Hummingbird
import Tracing

/// A span for each request, under the caller's `traceparent` when it sends one: named by its
/// route once routed, with the attributes of OpenTelemetry's HTTP conventions. A request
/// sampled out records nothing and says so (`TraceRecording`), so no span is started under it
/// and no attribute is computed for it; its log line still carries its trace id.
struct RequestSpanMiddleware: RouterMiddleware {
    typealias Context = GalleyRequestContext

    // Read once: the system's accessors take a lock and cast on every call. Made after
    // tracing is bootstrapped (`galley serve` starts the exporter before building the router).
    private let instrument = InstrumentationSystem.instrument
    private let tracer = InstrumentationSystem.tracer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var parent = ServiceContext.current ?? .topLevel
        instrument.extract(request.headers, into: &parent, using: HeaderExtractor())
        let span = tracer.startSpan("HTTP \(request.method.rawValue)", context: parent, ofKind: .server)
        guard span.isRecording else {
            defer { span.end() }
            return try await ServiceContext.$current.withValue(span.context) {
                try await TraceRecording.$isOn.withValue(false) { try await next(request, context) }
            }
        }
        // In one update: a recording span's attributes sit behind a lock, and each single set
        // copies them all.
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["url.path"] = request.uri.path
            attributes["user_agent.original"] = request.headers[.userAgent]
            attributes["http.request.header.x_request_id"] = request.headers[.requestID]
            attributes["client.address"] = context.peerAddress
        }
        do {
            var response = try await ServiceContext.$current.withValue(span.context) { try await next(request, context) }
            finish(span, request, route: context.endpointPath, status: Int(response.status.code), bodySize: response.body.contentLength)
            // The span ends when the body has been written, or when the response is dropped unsent.
            let ending = SpanEnding(span)
            let body = response.body
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                defer { ending.end() }
                try await body.write(writer)
            }
            return response
        } catch {
            let status = Int((error as? any HTTPResponseError)?.status.code ?? 500)
            finish(span, request, route: context.endpointPath, status: status)
            span.recordError(error)
            span.end()
            throw error
        }
    }

    private func finish(_ span: any Span, _ request: Request, route: String?, status: Int, bodySize: Int? = nil) {
        if let route { span.operationName = "\(request.method.rawValue) \(route)" }
        span.updateAttributes { attributes in
            attributes["http.route"] = route
            attributes["http.response.status_code"] = status
            attributes["http.response.body.size"] = bodySize
        }
        if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
    }
}

/// Ends a span once, from whichever comes first: the body written, or the response released.
private final class SpanEnding: @unchecked Sendable {
    // Touched by the response's post-write closure and by deinit, never at the same time.
    private var span: (any Span)?

    init(_ span: any Span) { self.span = span }

    func end() {
        span?.end()
        span = nil
    }

    deinit { span?.end() }
}

private struct HeaderExtractor: Extractor {
    // Asked for on every request; a name made from a string is checked and lowercased each time.
    private static let traceparent = HTTPField.Name("traceparent")!
    private static let tracestate = HTTPField.Name("tracestate")!

    func extract(key name: String, from headers: HTTPFields) -> String? {
        switch name {
        case "traceparent": headers[Self.traceparent]
        case "tracestate": headers[Self.tracestate]
        default: HTTPField.Name(name).flatMap { headers[$0] }
        }
    }
}
