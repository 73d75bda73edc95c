import CLibPQ
import Foundation
import Glibc
import Logging
import Synchronization

/// What a `PostgresListener` reports.
public enum ListenerEvent: Sendable {
    /// A `NOTIFY` on one of the channels.
    case notification(channel: String, payload: String)
    /// The listener (re)connected and is listening. Notifications sent while it was away are
    /// lost, so consumers should re-read whatever table the notifications point at.
    case listening
}

/// LISTENs on channels over a dedicated connection and thread, reconnecting with backoff
/// when the connection drops.
public final class PostgresListener: Sendable {
    private let connectionString: String
    private let channels: [String]
    private let logger: Logger
    private let stopped = Mutex(false)

    public init(connectionString: String = "", channels: [String], logger: Logger) {
        self.connectionString = connectionString
        self.channels = channels
        self.logger = logger
    }

    /// Starts listening; the stream ends after `stop()`.
    public func events() -> AsyncStream<ListenerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ListenerEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        let thread = Thread { [self] in
            run(continuation)
            continuation.finish()
        }
        thread.name = "galley.postgres.listener"
        thread.start()
        return stream
    }

    public func stop() {
        stopped.withLock { $0 = true }
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    private func run(_ continuation: AsyncStream<ListenerEvent>.Continuation) {
        var backoff = 0.1
        while !isStopped {
            do {
                let connection = try PostgresConnection(connectionString: connectionString)
                for channel in channels {
                    try connection.runScript("LISTEN " + connection.quoteIdentifier(channel))
                }
                backoff = 0.1
                continuation.yield(.listening)
                try receive(on: connection, into: continuation)
            } catch {
                if isStopped { return }
                logger.warning("LISTEN connection lost; reconnecting", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 5)
            }
        }
    }

    private func receive(on connection: PostgresConnection, into continuation: AsyncStream<ListenerEvent>.Continuation) throws {
        let conn = try connection.rawHandle
        while !isStopped {
            // Wake up now and then to notice stop().
            var descriptor = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 200)
            if ready < 0 && errno != EINTR { throw connection.connectionError(statement: nil) }
            if ready <= 0 { continue }
            guard PQconsumeInput(conn) == 1, PQstatus(conn) == CONNECTION_OK else {
                throw connection.connectionError(statement: nil)
            }
            while let notify = PQnotifies(conn) {
                let channel = String(cString: notify.pointee.relname)
                let payload = String(cString: notify.pointee.extra)
                PQfreemem(notify)
                continuation.yield(.notification(channel: channel, payload: payload))
            }
        }
    }
}

extension PostgresConnection {
    /// Sends a notification on `channel`; delivered when the surrounding transaction commits.
    public func notify(channel: String, payload: String) throws {
        try query("SELECT pg_notify(\(channel), \(payload))")
    }
}
