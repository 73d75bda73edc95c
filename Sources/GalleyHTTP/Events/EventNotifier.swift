import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// Wakes event streams and webhook loops when `NOTIFY galley_events` arrives (sent after a
/// commit by `EventWakeUp`, in this server or another). One LISTEN connection per server,
/// shared by every stream.
public final class EventNotifier: Service, Sendable {
    private let listener: PostgresListener
    private let generation = Mutex(0)

    public init(connectionString: String, logger: Logger) {
        listener = PostgresListener(connectionString: connectionString, channels: ["galley_events"], logger: logger)
    }

    public func run() async throws {
        let events = listener.events()
        await cancelWhenGracefulShutdown {
            for await _ in events { self.generation.withLock { $0 += 1 } }
        }
        listener.stop()
    }

    /// A number that changes whenever something may have happened.
    var current: Int { generation.withLock { $0 } }

    /// Returns when a notification arrives after `seen` was read, or after `timeout`.
    func wait(after seen: Int, timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while current == seen, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
