import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A tiny HTTP server on 127.0.0.1 that records every request and answers with the status
/// and body it is told to (200 "thanks" unless told otherwise), or stalls after the headers.
final class WebhookReceiver: Sendable {
    enum Answer: Sendable {
        case status(HTTPResponse.Status, body: [UInt8] = Array("thanks".utf8))
        /// Sends 200 and the first bytes of a body, then nothing until the receiver stops.
        case stallAfterHeaders
    }

    struct Received: Sendable {
        let headers: HTTPFields
        let body: Data
        var event: String? { headers[HTTPField.Name("Galley-Event")!] }
        var delivery: String? { headers[HTTPField.Name("Galley-Delivery")!] }
        var signature: String? { headers[HTTPField.Name("Galley-Signature")!] }
    }

    private let state = Mutex<(received: [Received], answer: Answer)>(([], .status(.ok)))
    private let stopping = Mutex(false)
    private let portBox = Mutex<Int?>(nil)
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, any Error>)?>(nil)

    var received: [Received] { state.withLock { $0.received } }
    var port: Int { portBox.withLock { $0 ?? 0 } }
    var url: String { "http://127.0.0.1:\(port)/hooks" }

    func answer(_ status: HTTPResponse.Status) { answer(.status(status)) }
    func answer(_ answer: Answer) { state.withLock { $0.answer = answer } }

    static func start() async throws -> WebhookReceiver {
        let receiver = WebhookReceiver()
        let router = Router()
        router.post("hooks") { request, context -> Response in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            let answer = receiver.state.withLock { state in
                state.received.append(Received(headers: request.headers, body: Data(buffer: buffer)))
                return state.answer
            }
            switch answer {
            case .status(let status, let body):
                return Response(status: status, body: .init(byteBuffer: ByteBuffer(bytes: body)))
            case .stallAfterHeaders:
                return Response(
                    status: .ok,
                    body: .init { writer in
                        try await writer.write(ByteBuffer(string: "working on it"))
                        while !receiver.stopping.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }
                        try await writer.finish(nil)
                    })
            }
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
        stopping.withLock { $0 = true }
        guard let (group, task) = running.withLock({ $0 }) else { return }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
