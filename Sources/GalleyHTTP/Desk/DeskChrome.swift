import Galley
import GalleyCore

/// What every signed-in page shows around its content: who is signed in, the links they may
/// follow, and the CSRF token for the sign-out form. Every page's context has one as `chrome`.
struct DeskChrome: Sendable {
    let displayName: String
    let csrf: String
    let canAudit: Bool
    let isAdmin: Bool

    init(_ visit: DeskVisit) {
        displayName = visit.actor.displayName
        csrf = visit.csrfToken
        canAudit = visit.caller.principal.has(.readAudit)
        isAdmin = visit.caller.principal.has(.manageActors)
    }
}

extension GalleyRequestContext {
    /// The signed-in person's visit; desk routes behind `DeskSessionMiddleware` always have one.
    func requireDesk() throws -> DeskVisit {
        guard let desk else { throw DeskRefusal(status: .unauthorized, message: "Sign in to the desk first.") }
        return desk
    }

    /// The submitted form of a desk POST, its CSRF token checked.
    func requireForm() throws -> DeskForm {
        guard let deskForm else { throw DeskRefusal.forgedForm }
        return deskForm
    }
}
