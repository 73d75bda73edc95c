import Foundation
import GalleyCore
import GalleyOutput
import Hummingbird

/// An RFC 9457 problem document, sent as `application/problem+json`, with a stable `type`
/// per kind of error.
struct Problem: Error, HTTPResponseError {
    static let typeBase = "https://galley.dev/problems/"

    var status: HTTPResponse.Status
    var type: String
    var title: String
    var detail: String
    var errors: [GalleyError.FieldProblem]?
    var unmet: [GalleyError.Unmet]?
    var headers: HTTPFields = [:]

    init(
        status: HTTPResponse.Status, type: String, title: String, detail: String,
        errors: [GalleyError.FieldProblem]? = nil, unmet: [GalleyError.Unmet]? = nil
    ) {
        self.status = status
        self.type = Self.typeBase + type
        self.title = title
        self.detail = detail
        self.errors = errors
        self.unmet = unmet
    }

    static func unauthenticated(_ detail: String) -> Problem {
        var problem = Problem(status: .unauthorized, type: "unauthenticated", title: "Authentication required", detail: detail)
        problem.headers[.wwwAuthenticate] = "Bearer"
        return problem
    }

    static func badRequest(_ detail: String) -> Problem {
        Problem(status: .badRequest, type: "malformed-request", title: "Malformed request", detail: detail)
    }

    static func invalid(_ field: String, _ message: String) -> Problem {
        Problem(GalleyError.validation([.init(field: field, message: message)]))
    }

    /// A request with the same `Idempotency-Key` is still running; its answer can be had by
    /// retrying after `Retry-After`.
    static func idempotencyInProgress(retryAfterSeconds seconds: Int) -> Problem {
        var problem = Problem(
            status: .conflict, type: "idempotency-in-progress", title: "Request in progress",
            detail: "A request with this Idempotency-Key is still running; retry in \(seconds) s to get its answer.")
        problem.headers[.retryAfter] = "\(seconds)"
        return problem
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(status: .notFound, type: "not-found", title: "Not found", detail: detail)
    }

    /// The one mapping of domain errors to HTTP.
    init(_ error: GalleyError) {
        switch error {
        case .notFound:
            self.init(status: .notFound, type: "not-found", title: "Not found", detail: error.message)
        case .unauthenticated(let detail):
            self = .unauthenticated(detail)
        case .forbidden:
            self.init(status: .forbidden, type: "forbidden", title: "Forbidden", detail: error.message)
        case .invalidTransition(_, _, let unmet):
            self.init(status: .conflict, type: "transition-refused", title: "Action refused", detail: error.message, unmet: unmet)
        case .conflict:
            self.init(status: .conflict, type: "conflict", title: "Conflict", detail: error.message)
        case .preconditionFailed:
            self.init(status: .preconditionFailed, type: "stale-version", title: "Precondition failed", detail: error.message)
        case .validation(let problems):
            self.init(status: .unprocessableContent, type: "validation", title: "Invalid input", detail: error.message, errors: problems)
        case .tooLargeToDiff:
            self.init(status: .unprocessableContent, type: "too-large-to-diff", title: "Too large to diff", detail: error.message)
        case .unavailable:
            self = .databaseUnavailable
        case .busy:
            self.init(status: .serviceUnavailable, type: "busy", title: "Busy", detail: error.message)
            headers[.retryAfter] = "\(Self.busyRetryAfterSeconds)"
        }
    }

    /// When to try again after `busy`: a queue of sign-ins drains in a few seconds.
    static let busyRetryAfterSeconds = 5

    /// The same answer for every outage: the database's own error text (hosts, users) is
    /// for the log (`ProblemMiddleware`), not for callers.
    static let databaseUnavailable = Problem(
        status: .serviceUnavailable, type: "database-unavailable", title: "Database unavailable",
        detail: "The database does not answer; try again shortly.")

    static let shuttingDown = Problem(
        status: .serviceUnavailable, type: "shutting-down", title: "Shutting down",
        detail: "This server is finishing its requests before it stops; send new ones to another server.")

    private struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var errors: [GalleyError.FieldProblem]?
        var unmet: [GalleyError.Unmet]?
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try WireJSON.encoder.encode(
            Body(type: type, title: title, status: Int(status.code), detail: detail, errors: errors, unmet: unmet))
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Turns every error a route throws into a problem document, so no client ever sees an
/// unexplained 500 or a body that is not problem+json.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as GalleyError {
            if case .unavailable(let reason) = error {
                context.logger.error("database unavailable", metadata: ["error": "\(reason)"])
            }
            throw Problem(error)
        } catch let error as HTTPError {
            let status = error.status
            if status == .contentTooLarge {
                throw Problem(status: status, type: "body-too-large", title: "Request body too large", detail: "The body is over 2 MiB; send less.")
            }
            let type = status == .notFound ? "not-found" : status == .methodNotAllowed ? "method-not-allowed" : "http-\(status.code)"
            throw Problem(status: status, type: type, title: status.reasonPhrase, detail: error.body ?? status.reasonPhrase)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            throw Problem(
                status: .internalServerError, type: "internal", title: "Internal error",
                detail: "The server failed to handle this request; the log has the details.")
        }
    }
}
