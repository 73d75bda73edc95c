import ServiceLifecycle
import Synchronization

/// The moments between SIGTERM and the server closing its port (`GALLEY_SHUTDOWN_DRAIN`):
/// `/readyz` answers 503 while requests are still served, so a load balancer checking it
/// takes the server out before a request can meet a closed port or a connection cut at
/// accept. Listed after the application in the service group, it is shut down first, and
/// the application's own graceful shutdown waits for it.
public final class ShutdownDrain: Service, Sendable {
    let delay: Duration
    private let draining = Atomic(false)

    public init(delay: Duration) {
        self.delay = delay
    }

    /// True from SIGTERM on.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    public func run() async throws {
        try? await gracefulShutdown()
        draining.store(true, ordering: .relaxed)
        try? await Task.sleep(for: delay)
    }
}
