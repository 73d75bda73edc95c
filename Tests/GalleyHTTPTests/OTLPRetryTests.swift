import Foundation
import HTTPTypes
import Logging
import Testing
import Tracing

@testable import GalleyTracing

/// A collector that answers busy or unavailable gets the same batch again after a pause, as
/// OTLP/HTTP asks, as many times as there are pauses; one that refuses the batch does not.
@Suite struct OTLPRetryTests {
    @Test(arguments: [(HTTPResponse.Status.serviceUnavailable, 2), (.tooManyRequests, 2), (.badRequest, 1)])
    func aBatchIsSentAgainOnlyWhileTheCollectorIsBusy(answer: HTTPResponse.Status, tries: Int) async throws {
        let collector = try await WebhookReceiver.start()
        collector.answer(answer)
        let configuration = try #require(
            try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.url, "OTEL_BSP_SCHEDULE_DELAY": "50"]))
        let buffer = SpanBuffer(capacity: 16, batchSize: 16)
        GalleyTracer(sampler: .alwaysOn, buffer: buffer).startSpan("publish_batch").end()
        let exporter = OTLPExporter(configuration: configuration, buffer: buffer, logger: Logger(label: "test"), retryPauses: [.milliseconds(200)])
        let running = Task { await exporter.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while collector.received.count < tries, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        // Room for a try too many to arrive.
        try await Task.sleep(for: .seconds(1))
        buffer.close()
        await running.value
        await collector.stop()
        let bodies = collector.received.map(\.body)
        #expect(bodies.count == tries)
        #expect(Set(bodies).count == 1, "every try sends the same batch")
    }
}
