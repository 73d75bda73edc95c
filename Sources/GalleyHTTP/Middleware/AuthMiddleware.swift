import Galley
import GalleyCore
import Hummingbird

/// Resolves `Authorization: Bearer glly_…` to an actor; everything under /v1 needs one.
/// (`GET /v1/articles/{id}` authenticates in its own first statement; see `ArticleRoutes`.)
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GalleyRequestContext
    let services: GalleyServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        _ = try await Self.authenticate(try Self.bearerToken(in: request), services: services, context: &context)
        return try await next(request, context)
    }

    /// The caller `token` belongs to, recorded in `context`; `unauthenticated` when none does.
    static func authenticate(_ token: String, services: GalleyServices, context: inout Context) async throws -> Caller {
        let actor = try await services.actors.authenticate(token: token)
        let caller = Caller(principal: actor.principal, requestID: context.requestID)
        identify(caller, in: &context)
        return caller
    }

    /// The token of the `Authorization` header, or `unauthenticated` saying what to send.
    static func bearerToken(in request: Request) throws -> String {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthenticated("Send a bearer token: Authorization: Bearer glly_…")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthenticated("The Authorization header must be: Bearer glly_…")
        }
        return String(parts[1]).trimmingWhiteSpace()
    }

    /// Records who is calling, for the handler, the request's log line and what it logs.
    static func identify(_ caller: Caller, in context: inout Context) {
        context.caller = caller
        context.logger[metadataKey: "actor"] = .string(caller.principal.name)
        context.logRecord.actor = caller.principal.name
    }
}
