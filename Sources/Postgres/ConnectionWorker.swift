import Dispatch
import Synchronization

/// One pool slot: a connection and the serial queue it is used on. libpq blocks its
/// thread while it waits for the server; the queue's thread is Dispatch's, not one of the
/// cooperative pool's, so a slow query never starves other tasks. The connection is opened
/// lazily and reopened when it is found broken, so a slot heals itself after a server restart.
final class ConnectionWorker: Sendable {
    let slot: Int
    private let connectionString: String
    private let queue: DispatchQueue
    // Only ever touched on `queue`; the mutex makes that provable to the compiler.
    private let connection = Mutex<PostgresConnection?>(nil)

    init(slot: Int, connectionString: String) {
        self.slot = slot
        self.connectionString = connectionString
        self.queue = DispatchQueue(label: "galley.postgres.connection.\(slot)")
    }

    /// Runs `body` on this slot's thread with a usable connection.
    func run<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Swift.Result {
                        try self.connection.withLock { connection -> Result in
                            let live = try Self.usable(&connection, connectionString: self.connectionString)
                            defer { Self.settle(&connection) }
                            return try body(live)
                        }
                    })
            }
        }
    }

    /// Closes the connection, waiting for any work in progress on it.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.connection.withLock { $0 = nil }
                continuation.resume()
            }
        }
    }

    private static func usable(_ connection: inout PostgresConnection?, connectionString: String) throws -> PostgresConnection {
        if let existing = connection {
            if existing.isUsable { return existing }
            connection = nil
        }
        let opened = try PostgresConnection(connectionString: connectionString)
        connection = opened
        return opened
    }

    /// After use: a session left inside a transaction (a body that escaped the transaction
    /// helper) is rolled back, and a broken one is dropped so the next use reconnects.
    private static func settle(_ connection: inout PostgresConnection?) {
        guard let current = connection else { return }
        switch current.transactionStatus {
        case .idle:
            return
        case .inTransaction, .inFailedTransaction:
            if (try? current.runScript("ROLLBACK")) == nil { connection = nil }
        case .active, .unknown:
            connection = nil
        }
    }
}
