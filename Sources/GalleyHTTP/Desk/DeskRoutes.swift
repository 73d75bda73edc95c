import Foundation
import Galley
import GalleyCore
import HTTPTypes
import Hummingbird

/// The review desk under `/desk`: server-rendered pages over the same services as the API.
/// Not part of the API's contract (openapi.yaml): its routes answer HTML to browsers.
struct DeskRoutes {
    let services: GalleyServices
    let settings: DeskSettings
    let notifier: EventNotifier?
    let pages = DeskPages.bundled

    func register(on router: Router<GalleyRequestContext>) {
        let desk = router.group("desk").add(middleware: DeskSecurityHeaders()).add(middleware: DeskErrorPages(pages: pages))
        DeskStaticFiles().register(on: desk)
        DeskSignInRoutes(services: services, settings: settings, pages: pages).register(on: desk)
        let signedIn = desk.group().add(middleware: DeskSessionMiddleware(services: services))
        DeskQueueRoutes(services: services, pages: pages, notifier: notifier).register(on: signedIn)
        DeskReviewRoutes(services: services, pages: pages).register(on: signedIn)
        DeskHistoryRoutes(services: services, pages: pages).register(on: signedIn)
        DeskAuditRoutes(services: services, pages: pages).register(on: signedIn)
        DeskPeopleRoutes(services: services, pages: pages).register(on: signedIn)
        // Any other address under /desk: the router's own "not found" never passes through the
        // group's middleware, so this route (the trie's last resort) lets DeskErrorPages answer
        // with the desk's page rather than the API's problem document.
        desk.get("**") { _, _ -> Response in throw HTTPError(.notFound) }
    }
}

/// How the desk is reached: whether its cookie may travel only over TLS.
public struct DeskSettings: Sendable {
    /// `GALLEY_PUBLIC_URL` is https: browsers reach the desk over TLS (behind a proxy).
    public var publicURLIsHTTPS: Bool

    public init(publicURLIsHTTPS: Bool = false) {
        self.publicURLIsHTTPS = publicURLIsHTTPS
    }

    /// Whether this request's cookies should be `Secure`: it came over TLS (as its proxy says)
    /// or the desk's public address is https.
    func secureCookies(for request: Request) -> Bool {
        publicURLIsHTTPS || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }
}
