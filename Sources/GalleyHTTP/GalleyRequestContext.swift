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
    /// Filled in by inner layers for the request's log line, which the outermost layer
    /// writes from its own copy of the context.
    let logRecord = RequestLogRecord()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
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
