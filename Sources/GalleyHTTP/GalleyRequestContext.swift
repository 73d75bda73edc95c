import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird
import Synchronization

/// Per-request state: the request id (the caller's `X-Request-Id` or a new one) and, on
/// authenticated routes, who is calling.
public struct GalleyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String = ""
    public var caller: Caller?
    /// On the desk's pages: the signed-in person's visit (`DeskSessionMiddleware`).
    public var desk: DeskVisit?
    /// On the desk's POSTs: the submitted form, its CSRF token already checked.
    var deskForm: DeskForm?
    /// Filled in by inner layers for the request's log line, which the outermost layer
    /// writes from its own copy of the context.
    let logRecord = RequestLogRecord()

    /// The address of the peer that sent the request (a proxy's, behind one).
    let peerAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress ?? ""
    }

    public var requestDecoder: JSONDecoder { WireJSON.decoder }
    public var responseEncoder: JSONEncoder { WireJSON.encoder }

    /// The authenticated caller; routes behind `AuthMiddleware` always have one.
    func requireCaller() throws -> Caller {
        guard let caller else {
            throw Problem.unauthenticated("Send a bearer token: Authorization: Bearer glly_…")
        }
        return caller
    }
}

/// What the request log line names that only inner layers learn: who called.
final class RequestLogRecord: Sendable {
    private let actorName = Mutex<String?>(nil)

    var actor: String? {
        get { actorName.withLock { $0 } }
        set { actorName.withLock { $0 = newValue } }
    }
}
