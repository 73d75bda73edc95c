import Galley
import GalleyCore
import Hummingbird

/// Resolves `Authorization: Bearer glly_…` to an actor; everything under /v1 needs one.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GalleyRequestContext
    let services: GalleyServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthenticated("Send a bearer token: Authorization: Bearer glly_…")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthenticated("The Authorization header must be: Bearer glly_…")
        }
        let actor = try await services.actors.authenticate(token: String(parts[1]).trimmingWhiteSpace())
        var context = context
        context.caller = Caller(principal: actor.principal, requestID: context.requestID)
        context.logger[metadataKey: "actor"] = .string(actor.name)
        context.logRecord.actor = actor.name
        return try await next(request, context)
    }
}
