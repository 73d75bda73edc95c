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
        let eventTime: Date
        let receivedAt: Date
    }

    private struct Body: Decodable {
        let id: String
        let time: String
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
            receiver.received.withLock { $0.append(Arrival(eventID: body.id, eventTime: eventTime, receivedAt: receivedAt)) }
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

    func stop() async {
        guard let (group, task) = running.withLock({ $0 }) else { return }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
