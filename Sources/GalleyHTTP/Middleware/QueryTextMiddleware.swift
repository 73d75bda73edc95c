import GalleyCore
import Hummingbird

/// Refuses a query parameter whose name or value holds U+0000 (`%00`), naming it: no
/// database text can hold one, and the driver refuses to send one rather than cut it.
struct QueryTextMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        for (name, value) in request.uri.queryParameters where name.utf8.contains(0) || value.utf8.contains(0) {
            throw Problem.invalid(String(name), Validation.nulRequirement)
        }
        return try await next(request, context)
    }
}
