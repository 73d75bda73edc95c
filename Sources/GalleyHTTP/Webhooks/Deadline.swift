import NIOCore
import Synchronization

/// The deadline of a whole webhook attempt ran out.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String {
        let (seconds, attoseconds) = limit.components
        return attoseconds == 0
            ? "no complete answer within \(seconds) s"
            : "no complete answer within \(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }
}

/// Runs `work`, giving up on it at `limit`: the caller gets `DeadlineExceeded` then, even if the
/// work does not react to being cancelled (a name lookup in progress); the work is cancelled
/// and left to end on its own.
func withDeadline<Value: Sendable>(
    _ limit: Duration, timedOn eventLoop: any EventLoop, _ work: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let task = Task { try await work() }
    let race = FirstResult<Value>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.await(continuation)
            // An event loop's timer, not a sleeping task: cancelled, it is gone at once, where a
            // cancelled sleep stays queued until its deadline (one per attempt adds up).
            let (seconds, attoseconds) = limit.components
            let timer = eventLoop.scheduleTask(
                in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            ) {
                // The deadline's answer first: the cancelled work may end at once, with a
                // CancellationError that would otherwise be the attempt's recorded error.
                race.finish(.failure(DeadlineExceeded(limit: limit)))
                task.cancel()
            }
            Task {
                let result = await task.result
                timer.cancel()
                race.finish(result)
            }
        }
    } onCancel: {
        task.cancel()
    }
}

/// Resumes a continuation with the first result it is given and ignores the rest.
private final class FirstResult<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, any Error>?>(nil)

    func await(_ waiting: CheckedContinuation<Value, any Error>) {
        continuation.withLock { $0 = waiting }
    }

    func finish(_ result: Result<Value, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
