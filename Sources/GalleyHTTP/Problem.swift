import Foundation
import Hummingbird

/// An RFC 9457 problem document, sent as `application/problem+json`.
struct Problem: Error, HTTPResponseError, Encodable {
    static let typeBase = "https://galley.dev/problems/"

    var status: HTTPResponse.Status
    var type: String
    var title: String
    var detail: String

    init(status: HTTPResponse.Status, type: String, title: String, detail: String) {
        self.status = status
        self.type = Self.typeBase + type
        self.title = title
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(Int(status.code), forKey: .status)
        try container.encode(detail, forKey: .detail)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(self)
        return Response(
            status: status,
            headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

/// Turns any error a route throws into a problem document, so no client ever sees an
/// unexplained 500 or a body that is not problem+json.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as HTTPError {
            throw Problem(
                status: error.status, type: "http-\(error.status.code)", title: error.status.reasonPhrase,
                detail: error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            throw Problem(
                status: .internalServerError, type: "internal", title: "Internal error",
                detail: "The server failed to handle this request; the log has the details.")
        }
    }
}
