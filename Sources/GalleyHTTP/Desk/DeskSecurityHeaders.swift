import HTTPTypes
import Hummingbird

/// What every desk response says to the browser: run only our own scripts and styles, load
/// nothing from elsewhere, never be framed, never be sniffed as another type, and send the
/// page's address only to ourselves.
struct DeskSecurityHeaders: RouterMiddleware {
    typealias Context = GalleyRequestContext

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return response
    }
}
