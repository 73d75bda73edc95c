import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import NIOCore
import Synchronization

/// A tiny HTTP server on 127.0.0.1 that records every request and answers with the status
/// it is told to (200 unless `failing`).
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let headers: HTTPFields
        let body: Data
        var event: String? { headers[HTTPField.Name("Galley-Event")!] }
        var delivery: String? { headers[HTTPField.Name("Galley-Delivery")!] }
        var signature: String? { headers[HTTPField.Name("Galley-Signature")!] }
    }

    private let state = Mutex<(received: [Received], status: HTTPResponse.Status)>(([], .ok))
    private let portBox = Mutex<Int?>(nil)
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, any Error>)?>(nil)

    var received: [Received] { state.withLock { $0.received } }
    var port: Int { portBox.withLock { $0 ?? 0 } }
    var url: String { "http://127.0.0.1:\(port)/hooks" }

    func answer(_ status: HTTPResponse.Status) { state.withLock { $0.status = status } }

    static func start() async throws -> WebhookReceiver {
        let receiver = WebhookReceiver()
        let router = Router()
        router.post("hooks") { request, context -> Response in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            let status = receiver.state.withLock { state in
                state.received.append(Received(headers: request.headers, body: Data(buffer: buffer)))
                return state.status
            }
            return Response(status: status, body: .init(byteBuffer: ByteBuffer(string: "thanks")))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in receiver.portBox.withLock { $0 = channel.localAddress?.port } },
            logger: Logger(label: "receiver"))
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "receiver")))
        receiver.running.withLock { $0 = (group, Task { try await group.run() }) }
        for _ in 0..<500 where receiver.portBox.withLock({ $0 == nil }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        return receiver
    }

    func stop() async {
        guard let (group, task) = running.withLock({ $0 }) else { return }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
