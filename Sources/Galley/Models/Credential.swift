import Foundation
import Synchronization

/// The token a caller was recognised by from memory (a token this server met before), which
/// the database has yet to confirm is still live, still that actor's, and that actor still
/// as remembered (its version: roles, desk and activity move it). Nothing is read,
/// written or refused for such a caller before it is confirmed: the door of a fast path
/// confirms it inside the statement it sends anyway (`ArticleReads`); every other first
/// statement of the request is preceded by the check (`GalleyEnvironment`). A credential
/// found dead refuses the request as unauthenticated, whatever else would have refused it;
/// `ActorService.serve` then asks afresh who the token names, and serves a token whose actor
/// merely changed again as that actor.
public final class Credential: Sendable {
    let token: RememberedToken
    private let state = Mutex(State.pending)

    enum State {
        case pending, confirmed, refused
    }

    init(_ token: RememberedToken) {
        self.token = token
    }

    var tokenHash: Data { token.hash }

    var isPending: Bool { state.withLock { $0 == .pending } }

    /// Whether the database found the token dead or its actor changed.
    var isRefused: Bool { state.withLock { $0 == .refused } }

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

/// A token as this server remembers it: its hash, and the actor it named at the version read.
struct RememberedToken: Sendable {
    let hash: Data
    let actorID: UUID
    let actorVersion: Int
}
