import Foundation
import Hummingbird
import Logging
import NIOCore
import Postgres
import ServiceLifecycle
import Synchronization

/// An HTTP server on 127.0.0.1 that notes when each webhook delivery arrived and the time of
/// the event it carries, and answers 200.
final class DeliveryReceiver: Sendable {
    struct Arrival: Sendable {
        let eventID: String
        let articleID: UUID?
        let eventTime: Date
        let receivedAt: Date
    }

    private struct Body: Decodable {
        struct Event: Decodable { let article_id: String? }
        let id: String
        let time: String
        let event: Event
    }

    private let received = Mutex<[Arrival]>([])
    private let seen = Mutex<Set<String>>([])
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, any Error>)?>(nil)

    var arrivals: [Arrival] { received.withLock { $0 } }
    var uniqueCount: Int { seen.withLock { $0.count } }

    static func start(port: Int) async throws -> DeliveryReceiver {
        let receiver = DeliveryReceiver()
        let started = Mutex(false)
        let router = Router()
        router.post("hooks") { request, _ -> Response in
            var request = request
            let buffer = try await request.collectBody(upTo: 4 << 20)
            let receivedAt = Date()
            let body = try JSONDecoder().decode(Body.self, from: Data(buffer: buffer))
            guard let eventTime = PostgresTimestamp.parse(body.time) else { return Response(status: .badRequest) }
            let arrival = Arrival(
                eventID: body.id, articleID: body.event.article_id.flatMap(UUID.init(uuidString:)), eventTime: eventTime,
                receivedAt: receivedAt)
            receiver.received.withLock { $0.append(arrival) }
            receiver.seen.withLock { _ = $0.insert(body.id) }
            return Response(status: .ok)
        }
        var logger = Logger(label: "receiver")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { _ in started.withLock { $0 = true } }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        receiver.running.withLock { $0 = (group, Task { try await group.run() }) }
        for _ in 0..<500 where !started.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        guard started.withLock({ $0 }) else { throw BenchmarkError(description: "the receiver did not start on port \(port)") }
        return receiver
    }

    /// Returns once `count` distinct events have arrived (or after `timeout` seconds), a
    /// moment later so that duplicates would show, with the server stopped.
    func wait(for count: Int, timeout: Int) async throws {
        let deadline = Date().addingTimeInterval(Double(timeout))
        while uniqueCount < count, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(500))
        await stop()
    }

    func stop() async {
        guard let (group, task) = running.withLock({ $0 }) else { return }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
