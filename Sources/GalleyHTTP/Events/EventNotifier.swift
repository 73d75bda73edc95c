import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// Wakes event streams and webhook loops when `NOTIFY galley_events` arrives (sent after a
/// commit by `EventWakeUp`, in this server or another). One LISTEN connection per server,
/// shared by every stream.
public final class EventNotifier: Service, Sendable {
    private let listener: PostgresListener
    private let state = Mutex(State())

    /// The generation, and the waits in progress. A wait is resumed once, by whichever comes
    /// first: a notification, its timeout or its cancellation.
    private struct State {
        var generation = 0
        var waits: [UInt64: Wait] = [:]
        var lastID: UInt64 = 0
    }

    private enum Wait {
        /// Started, not yet suspended.
        case starting
        case suspended(CheckedContinuation<Void, Never>)
        /// Woken, timed out or cancelled: it must not suspend, or is resumed already.
        case over
    }

    public init(connectionString: String, logger: Logger) {
        listener = PostgresListener(connectionString: connectionString, channels: ["galley_events"], logger: logger)
    }

    public func run() async throws {
        let events = listener.events()
        await cancelWhenGracefulShutdown {
            for await _ in events {
                let suspended = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
                    state.generation += 1
                    var woken: [CheckedContinuation<Void, Never>] = []
                    for (id, wait) in state.waits {
                        guard case .suspended(let continuation) = wait else { continue }
                        woken.append(continuation)
                        state.waits[id] = .over
                    }
                    return woken
                }
                for continuation in suspended { continuation.resume() }
            }
        }
        listener.stop()
    }

    /// A number that changes whenever something may have happened.
    var current: Int { state.withLock { $0.generation } }

    /// Returns when a notification arrives after `seen` was read, or after `timeout`, or when
    /// the task is cancelled. The waiting task sleeps: nothing runs until one of them happens.
    func wait(after seen: Int, timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.lastID += 1
            state.waits[state.lastID] = .starting
            return state.lastID
        }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self?.end(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let suspend = state.withLock { state -> Bool in
                    guard state.generation == seen, case .starting = state.waits[id] else { return false }
                    state.waits[id] = .suspended(continuation)
                    return true
                }
                if !suspend { continuation.resume() }
            }
        } onCancel: {
            end(id)
        }
        timer.cancel()
        state.withLock { _ = $0.waits.removeValue(forKey: id) }
    }

    /// Ends wait `id` (timed out or cancelled): resumes it if suspended, keeps it from
    /// suspending if not yet; nothing once it is over.
    private func end(_ id: UInt64) {
        let suspended = state.withLock { state -> CheckedContinuation<Void, Never>? in
            switch state.waits[id] {
            case .starting:
                state.waits[id] = .over
                return nil
            case .suspended(let continuation):
                state.waits[id] = .over
                return continuation
            case .over, nil:
                return nil
            }
        }
        suspended?.resume()
    }
}
