import Crypto
import Foundation
import Galley
import GalleyCore
import Hummingbird

/// Signing in and out of the desk. The sign-in form is protected from cross-site posting by a
/// token it shares with a short-lived cookie of its own (there is no session yet to derive one
/// from); signing out is a form of the session like any other.
struct DeskSignInRoutes {
    let services: GalleyServices
    let settings: DeskSettings
    let pages: DeskPages

    static let loginCookie = "galley_login"

    struct Page {
        let csrf: String
        let next: String
        let name: String
        let error: String?
        let chrome: DeskChrome? = nil
    }

    func register(on desk: RouterGroup<GalleyRequestContext>) {
        desk.get("login") { request, context in try await showForm(request, context) }
        desk.post("login") { request, context in try await signIn(request, context) }
        desk.post("logout") { request, context in try await signOut(request, context) }
    }

    private func showForm(_ request: Request, _ context: GalleyRequestContext) async throws -> Response {
        let next = request.uri.queryParameters.get("next").flatMap(DeskPaths.returnPath) ?? "/desk"
        return form(request, next: next, name: "", error: nil, status: .ok)
    }

    private func form(_ request: Request, next: String, name: String, error: String?, status: HTTPResponse.Status) -> Response {
        let token = Secrets.random()
        var response = pages.render("login", Page(csrf: token, next: next, name: name, error: error), status: status)
        response.setCookie(
            Cookie(
                name: Self.loginCookie, value: token, maxAge: 3600, path: "/desk/login", secure: settings.secureCookies(for: request),
                httpOnly: true, sameSite: .strict))
        return response
    }

    private func signIn(_ request: Request, _ context: GalleyRequestContext) async throws -> Response {
        var request = request
        let form = try await DeskForm(request: &request, context: context)
        // An empty pair would match too; a form this server made never sends one.
        guard let expected = request.cookies[Self.loginCookie]?.value, let sent = form["_csrf"], !expected.isEmpty,
            Secrets.equal(Array(expected.utf8), Array(sent.utf8))
        else {
            throw DeskRefusal.forgedForm
        }
        let next = form["next"].flatMap(DeskPaths.returnPath) ?? "/desk"
        let name = (form["name"] ?? "").trimmingWhiteSpace()
        let session: DeskSession
        do {
            session = try await services.sessions.signIn(
                name: name, password: form["password"] ?? "", replacing: request.cookies[DeskSessionMiddleware.cookieName]?.value,
                clientAddress: context.peerAddress, userAgent: request.headers[.userAgent] ?? "", requestID: context.requestID)
        } catch GalleyError.unauthenticated(let message) {
            return self.form(request, next: next, name: String(name.prefix(64)), error: message, status: .unauthorized)
        } catch let error as GalleyError {
            guard case .busy(let message) = error else { throw error }
            let problem = Problem(error)
            var response = self.form(request, next: next, name: String(name.prefix(64)), error: message, status: problem.status)
            response.headers[.retryAfter] = problem.headers[.retryAfter]
            return response
        }
        var response = DeskPages.seeOther(next)
        response.setCookie(
            Cookie(
                name: DeskSessionMiddleware.cookieName, value: session.secret, path: "/desk", secure: settings.secureCookies(for: request),
                httpOnly: true, sameSite: .lax))
        response.setCookie(Cookie(name: Self.loginCookie, value: "", maxAge: 0, path: "/desk/login"))
        return response
    }

    private func signOut(_ request: Request, _ context: GalleyRequestContext) async throws -> Response {
        guard let secret = request.cookies[DeskSessionMiddleware.cookieName]?.value else { return DeskPages.seeOther("/desk/login") }
        var request = request
        let form = try await DeskForm(request: &request, context: context)
        // A session already ended needs no ending; any other failure (the database) must not
        // look like a sign-out while the session stays live.
        let visit: DeskVisit?
        do {
            visit = try await services.sessions.visit(secret: secret, requestID: context.requestID)
        } catch GalleyError.unauthenticated {
            visit = nil
        }
        if let visit {
            guard let token = form["_csrf"], visit.accepts(csrfToken: token) else { throw DeskRefusal.forgedForm }
            try await services.sessions.signOut(secret: secret, requestID: context.requestID)
        }
        var response = DeskPages.seeOther("/desk/login")
        response.setCookie(Cookie(name: DeskSessionMiddleware.cookieName, value: "", maxAge: 0, path: "/desk"))
        return response
    }
}
