import Dispatch
import Synchronization

/// Hashes and checks each batch of a full verification on other threads while the
/// connection reads the next one: the server producing a batch and this process checking
/// the one before take about as long, so one waiting for the other doubled the time.
final class AuditOverlappedChecks: Sendable {
    private let queue = DispatchQueue(label: "galley.audit-verification")
    /// Batches read but not checked yet, at most two: bounds the memory they hold.
    private let room = DispatchSemaphore(value: 2)
    private let state: Mutex<(verifier: AuditVerifier, error: (any Error)?)>
    private let progress: (@Sendable (Int) -> Void)?

    init(_ verifier: AuditVerifier, progress: (@Sendable (Int) -> Void)?) {
        state = Mutex((verifier, nil))
        self.progress = progress
    }

    /// Queues a batch (the next in chain order) to be checked; waits while two are queued.
    func submit(_ batch: AuditBatch) {
        room.wait()
        queue.async { [self] in
            defer { room.signal() }
            let matches = batch.hashMatches()
            let checked = state.withLock { state -> Int? in
                guard state.error == nil else { return nil }
                do {
                    try state.verifier.check(batch, hashMatches: matches)
                    return state.verifier.eventsChecked
                } catch {
                    state.error = error
                    return nil
                }
            }
            if let checked { progress?(checked) }
        }
    }

    /// Waits until every batch queued is checked; the verifier, or the first error.
    func finish() throws -> AuditVerifier {
        queue.sync {}
        return try state.withLock { state in
            if let error = state.error { throw error }
            return state.verifier
        }
    }
}
