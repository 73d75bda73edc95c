import Foundation
import Synchronization

/// The token a caller was recognised by from memory (a token this server met before), which
/// the database has yet to confirm is still live and still that actor's. Nothing is read,
/// written or refused for such a caller before it is confirmed: the door of a fast path
/// confirms it inside the statement it sends anyway (`ArticleReads`); every other first
/// statement of the request is preceded by the check (`GalleyEnvironment`). A credential
/// found dead refuses the request as unauthenticated, whatever else would have refused it.
public final class Credential: Sendable {
    let tokenHash: Data
    let actorID: UUID
    private let state = Mutex(State.pending)

    enum State {
        case pending, confirmed, refused
    }

    init(tokenHash: Data, actorID: UUID) {
        self.tokenHash = tokenHash
        self.actorID = actorID
    }

    var isPending: Bool { state.withLock { $0 == .pending } }

    /// Records what the database said; throws `unauthenticated` when the token is dead.
    func settle(live: Bool) throws {
        state.withLock { $0 = live ? .confirmed : .refused }
        if !live { throw ActorService.unknownToken }
    }

    /// Throws `unauthenticated` when the token was found dead.
    func requireNotRefused() throws {
        if state.withLock({ $0 == .refused }) { throw ActorService.unknownToken }
    }

    /// The pending credential of the request this task serves, bound by `ActorService.serve`:
    /// how the environment's data door knows to confirm it before the request's first
    /// statement without every service passing it along.
    @TaskLocal static var ofRequest: Credential?
}
