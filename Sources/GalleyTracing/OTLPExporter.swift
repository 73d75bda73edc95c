import AsyncHTTPClient
import Logging
import NIOCore
import ServiceLifecycle

/// Sends recorded spans to the OTLP/HTTP endpoint in batches: when a batch is ready, every
/// `OTEL_BSP_SCHEDULE_DELAY`, and once more at shutdown. A batch the endpoint answers busy or
/// unavailable is sent again, as OTLP/HTTP asks (`retryPauses`); one it refuses, or that fails
/// every try, is dropped and logged, once for a run of failures, in the server's own log format.
public struct OTLPExporter: Service {
    let configuration: TracingConfiguration
    let buffer: SpanBuffer
    let logger: Logger
    /// The pauses before each further try of a batch answered 429, 502, 503 or 504: a
    /// `Retry-After` of up to 30 s replaces a pause. None in the last flush at shutdown.
    var retryPauses: [Duration] = [.seconds(1), .seconds(2)]

    public func run() async {
        // Its own client, untraced: a client that traced its exports would record a span for
        // each, to be exported in turn.
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.tracing.tracer = nil
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        var failing = false
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: configuration.scheduleDelay)
                        buffer.requestExport()
                    }
                }
                for await _ in buffer.wakeUps { await exportWaiting(client, retryPauses: retryPauses, failing: &failing) }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            buffer.close()
        }
        await exportWaiting(client, retryPauses: [], failing: &failing)
        try? await client.shutdown()
    }

    /// Sends the spans waiting now, in batches; those that end meanwhile wait for the next turn.
    private func exportWaiting(_ client: HTTPClient, retryPauses: [Duration], failing: inout Bool) async {
        let dropped = buffer.takeDropped()
        if dropped > 0 {
            logger.warning(
                "spans dropped: the export queue was full", metadata: ["spans": "\(dropped)", "queue": "\(configuration.maxQueueSize)"])
        }
        for batch in buffer.takeAll().chunks(of: configuration.maxExportBatchSize) {
            do {
                try await send(batch, with: client, retryPauses: retryPauses)
                if failing { logger.notice("traces are exported again", metadata: ["endpoint": "\(configuration.endpoint)"]) }
                failing = false
            } catch {
                if !failing {
                    logger.warning(
                        "traces not exported; spans are dropped until the endpoint takes them",
                        metadata: ["endpoint": "\(configuration.endpoint)", "spans": "\(batch.count)", "error": "\(error)"])
                }
                failing = true
            }
        }
    }

    /// Sends the batch, and again after each of `retryPauses` while the endpoint answers that it
    /// is busy or unavailable.
    private func send(_ batch: ArraySlice<FinishedSpan>, with client: HTTPClient, retryPauses: [Duration]) async throws {
        var request = HTTPClientRequest(url: configuration.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
        for header in configuration.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: OTLPEncoding.request(batch, resource: configuration.resource)))
        var pauses = retryPauses[...]
        while true {
            let response = try await client.execute(request, timeout: .nanoseconds(configuration.timeout.nanoseconds))
            _ = try await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return }
            guard [429, 502, 503, 504].contains(status), let pause = pauses.popFirst() else { throw ExportRefused(status: status) }
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { Int($0) }.flatMap { (0...30).contains($0) ? $0 : nil }
            try await Task.sleep(for: retryAfter.map { Duration.seconds($0) } ?? pause)
        }
    }
}

private struct ExportRefused: Error, CustomStringConvertible {
    let status: Int
    var description: String { "the endpoint answered \(status)" }
}

extension Array {
    fileprivate func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
