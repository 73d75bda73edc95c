import Foundation
import GalleyCore
import HTTPTypes
import Hummingbird
import Logging

/// The outermost layer of every request: gives it an id (the caller's `X-Request-Id`, or a
/// new one) echoed on the response, turns errors into their responses, records metrics and
/// writes one structured log line.
struct RequestEnvelopeMiddleware: RouterMiddleware {
    typealias Context = GalleyRequestContext
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = Self.requestID(from: request.headers[.requestID])
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.requestID] = context.requestID
        let elapsed = ContinuousClock.now - started
        let route = context.endpointPath ?? "unmatched"
        metrics.record(method: request.method.rawValue, route: route, status: Int(response.status.code), duration: elapsed)
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "route": .string(route), "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(Self.milliseconds(elapsed)),
                "actor": .string(context.logRecord.actor ?? "-"),
            ])
        return response
    }

    /// A duration in milliseconds with two decimals, e.g. `12.34`.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let hundredths = max(seconds * 100_000 + attoseconds / 10_000_000_000_000, 0)
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// A caller's id is kept when it is short and printable; otherwise a new one is made.
    static func requestID(from header: String?) -> String {
        if let header, !header.isEmpty, header.count <= 128,
            header.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 })
        {
            return header
        }
        return UUID.random().lowercasedString
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
