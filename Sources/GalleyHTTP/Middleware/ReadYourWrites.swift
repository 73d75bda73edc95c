import Galley
import Hummingbird

extension GalleyServices {
    /// Tells the replica router (`ReplicaReads`) that `caller` sent a request that may have
    /// written (any method but GET and HEAD, answered or refused): its next reads go to the
    /// primary, so they see what it wrote.
    func noteRequest(_ method: HTTPRequest.Method, by caller: Caller?) {
        guard let replica = environment.replica, let caller, method != .get, method != .head else { return }
        replica.wrote(caller.principal.actorID)
    }
}
