import Galley
import GalleyCore
import Hummingbird

/// Resolves `Authorization: Bearer glly_…` to the caller, once; everything under /v1 needs
/// one. A token the server remembers names its caller without a round trip; the domain
/// confirms it with the request's first statement (`ActorService.serve`), and a dead token
/// is refused as 401 before anything else is said.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GalleyRequestContext
    let services: GalleyServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = try await services.actors.caller(bearing: try Self.bearerToken(in: request), requestID: context.requestID)
        // Named in the log once confirmed; a remembered token may turn out dead.
        var logged = context.logger
        logged[metadataKey: "actor"] = .string(caller.isPending ? "unconfirmed:\(caller.principal.name)" : caller.principal.name)
        // A remembered caller's request may be served twice (`ActorService.serve`): its body is
        // kept for the second time. Every body is read whole anyway (`decodeJSON`), and only
        // these methods' routes read one.
        var request = request
        var bodyKept = !caller.isPending || ![.post, .put, .patch].contains(request.method)
        var served = caller
        defer { services.noteRequest(request.method, by: served) }
        do {
            let response = try await services.actors.serve(caller) { current in
                if !bodyKept {
                    try await request.keepBody(upTo: context.maxUploadSize)
                    bodyKept = true
                }
                served = current
                var context = context
                context.caller = current
                context.logger = logged
                if current.principal != caller.principal { context.logger[metadataKey: "actor"] = .string(current.principal.name) }
                return try await next(request, context)
            }
            context.logRecord.actor = served.principal.name
            return response
        } catch {
            // Any other refusal comes after the token was confirmed.
            if case GalleyError.unauthenticated = error {} else { context.logRecord.actor = served.principal.name }
            throw error
        }
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
}
