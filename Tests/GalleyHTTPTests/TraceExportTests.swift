#if OTelTracing
    import Foundation
    import Galley
    import GalleyCore
    import GalleyHTTP
    import HTTPTypes
    import OTel
    import ServiceLifecycle
    import Testing

    /// Traces as an OpenTelemetry collector receives them over OTLP/HTTP (built with the
    /// `OTelTracing` trait only): one approval is one trace, the request → the domain
    /// operation → each database round trip, with their timings.
    @Suite struct TraceExportTests {
        @Test func anApprovalIsOneTraceFromTheRequestThroughTheDomainToEachStatement() async throws {
            let collector = try await WebhookReceiver.start()
            collector.answer(.status(.ok, body: Array("{}".utf8)))
            var configuration = OTel.Configuration.default
            configuration.serviceName = "galley-test"
            configuration.logs.enabled = false
            configuration.metrics.enabled = false
            configuration.traces.otlpExporter.protocol = .httpJSON
            configuration.traces.otlpExporter.endpoint = collector.url  // used as given: the receiver answers on its one path
            configuration.traces.batchSpanProcessor.scheduleDelay = .milliseconds(100)
            // Tracing is bootstrapped once per process; this is the only test that does it.
            let exporter = try OTel.bootstrap(configuration: configuration)
            let exporting = Task { try await exporter.run() }
            defer { exporting.cancel() }

            let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            let callerSpan = "00f067aa0ba902b7"
            let articleID = LockedBox<String>("")
            try await APIHarness.with(tracing: true) { api in
                let id = try await api.createArticle()
                articleID.value = id
                _ = try await api.transition(id, "submit", as: "wendy")
                _ = try await api.call(
                    .post, "/v1/articles/\(id)/checkpoints", as: "fiona",
                    json: ["checkpoint": "source_check", "verdict": "passed", "revision": 1, "note": "ok"])
                let approved = try await api.call(
                    .post, "/v1/articles/\(id)/transitions", as: "eddie", json: ["action": "approve"],
                    headers: [HTTPField.Name("traceparent")!: "00-\(traceID)-\(callerSpan)-01"])
                #expect(approved.status == .ok, "\(approved.text)")
            }

            var spans: [Span] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                spans = collector.received.flatMap { Span.all(in: $0.body) }.filter { $0.traceID == traceID }
                if spans.contains(where: { $0.name == "transition.approve" }) && spans.count >= 3 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let request = try #require(spans.first { $0.parentID == callerSpan }, "no request span under the caller's: \(spans)")
            let domain = try #require(spans.first { $0.name == "transition.approve" }, "\(spans)")
            #expect(domain.parentID == request.spanID)
            let statements = spans.filter { $0.parentID == domain.spanID }
            #expect(!statements.isEmpty, "no database spans under \(domain): \(spans)")
            for statement in statements {
                #expect(statement.attributes["db.system"] == "postgresql")
                #expect(statement.attributes["db.response.returned_rows"] != nil)
                #expect(statement.start >= domain.start && statement.end <= domain.end && statement.start <= statement.end, "\(statement)")
                #expect(!statement.name.contains(articleID.value))
            }
            #expect(request.start <= domain.start && domain.end <= request.end)
            #expect(request.end > request.start)
            await collector.stop()
        }
    }

    /// A span as OTLP/JSON carries it, ids in hex.
    private struct Span: CustomStringConvertible {
        let traceID: String
        let spanID: String
        let parentID: String
        let name: String
        let start: UInt64
        let end: UInt64
        let attributes: [String: String]

        var description: String { "\(name) \(spanID)←\(parentID) \(start)…\(end) \(attributes)" }

        static func all(in body: Data) -> [Span] {
            guard let root = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return [] }
            var spans: [Span] = []
            for resource in root["resourceSpans"] as? [[String: Any]] ?? [] {
                for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                    for span in scope["spans"] as? [[String: Any]] ?? [] {
                        var attributes: [String: String] = [:]
                        for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                            guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any] else { continue }
                            attributes[key] = value.values.first.map { "\($0)" }
                        }
                        spans.append(
                            Span(
                                traceID: hex(span["traceId"]), spanID: hex(span["spanId"]), parentID: hex(span["parentSpanId"]),
                                name: span["name"] as? String ?? "", start: nanoseconds(span["startTimeUnixNano"]),
                                end: nanoseconds(span["endTimeUnixNano"]), attributes: attributes))
                    }
                }
            }
            return spans
        }

        /// OTLP/JSON writes ids in hex; protobuf's JSON mapping in base64: either is read.
        private static func hex(_ value: Any?) -> String {
            guard let text = value as? String, !text.isEmpty else { return "" }
            if text.count % 2 == 0, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
            guard let bytes = Data(base64Encoded: text) else { return text }
            return bytes.map { String(format: "%02x", $0) }.joined()
        }

        private static func nanoseconds(_ value: Any?) -> UInt64 {
            if let text = value as? String { return UInt64(text) ?? 0 }
            return (value as? NSNumber)?.uint64Value ?? 0
        }
    }

    private final class LockedBox<Value: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Value
        init(_ value: Value) { stored = value }
        var value: Value {
            get { lock.withLock { stored } }
            set { lock.withLock { stored = newValue } }
        }
    }
#endif
