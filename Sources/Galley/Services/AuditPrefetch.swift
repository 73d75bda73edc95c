import Synchronization

/// The next batch of an export, read while the one before is written: PostgreSQL sending
/// a batch took about as long as writing one, and each waited for the other.
final class AuditPrefetch<Batch: Sendable>: Sendable {
    private let pending = Mutex<Task<Batch, any Error>?>(nil)

    /// Starts reading the next batch.
    func start(_ read: @escaping @Sendable () async throws -> Batch) {
        pending.withLock { $0 = Task(operation: read) }
    }

    /// The batch being read, if one was started since the last `take`.
    func take() -> Task<Batch, any Error>? {
        pending.withLock { pending in
            defer { pending = nil }
            return pending
        }
    }

    /// An export given up (its client gone) stops the read it started.
    deinit {
        pending.withLock { $0?.cancel() }
    }
}
