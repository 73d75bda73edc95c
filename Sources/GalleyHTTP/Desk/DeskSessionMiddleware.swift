import Galley
import GalleyCore
import Hummingbird

/// Turns the desk's session cookie into the signed-in person, for every desk page behind
/// sign-in: a page asked for without a live session leads to the sign-in page; a form sent
/// without its session's CSRF token is refused before anything reads it.
struct DeskSessionMiddleware: RouterMiddleware {
    typealias Context = GalleyRequestContext
    let services: GalleyServices

    static let cookieName = "galley_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = request.cookies[Self.cookieName]?.value, !secret.isEmpty else { return Self.signInFirst(request) }
        let visit: DeskVisit
        do {
            visit = try await services.sessions.visit(secret: secret, requestID: context.requestID)
        } catch GalleyError.unauthenticated {
            return Self.signInFirst(request)
        }
        var context = context
        context.caller = visit.caller
        context.desk = visit
        context.logger[metadataKey: "actor"] = .string(visit.actor.name)
        context.logRecord.actor = visit.actor.name
        defer { services.noteRequest(request.method, by: visit.caller) }
        var request = request
        if request.method != .get, request.method != .head {
            let form = try await DeskForm(request: &request, context: context)
            guard let token = form["_csrf"], visit.accepts(csrfToken: token) else { throw DeskRefusal.forgedForm }
            context.deskForm = form
        }
        return try await next(request, context)
    }

    /// To the sign-in page, which returns here afterwards when this was a page (a GET).
    static func signInFirst(_ request: Request) -> Response {
        guard request.method == .get, let path = DeskPaths.returnPath(request.uri.path) else { return DeskPages.seeOther("/desk/login") }
        return DeskPages.seeOther("/desk/login?next=" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
    }
}
