import Foundation
import Galley
import GalleyCore
import GalleyHTTP
import GalleyTracing
import HTTPTypes
import Logging
import ServiceLifecycle
import TestSupport
import Testing

/// Traces as an OpenTelemetry collector receives them over OTLP/HTTP: one approval is one trace, the request → the domain
/// operation → each database round trip, with their timings.
@Suite(.ownTransactionHorizon) struct TraceExportTests {
    @Test func anApprovalIsOneTraceFromTheRequestThroughTheDomainToEachStatement() async throws {
        let collector = try await Collector.started.value
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

        let spans = try await Collector.spans(of: traceID, from: collector) { spans in
            spans.contains { $0.name == "transition.approve" } && spans.count >= 3
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
    }

    /// A webhook delivery joins the trace of the request whose change caused its event,
    /// and its receiver gets that trace id; a request sampled out leaves nothing behind.
    @Test func aDeliveryJoinsTheTraceOfTheRequestThatCausedItsEvent() async throws {
        let collector = try await Collector.started.value
        let traceID = "5d0f2c1e8a7b4c3d9e6f1a2b3c4d5e6f"
        let sampledOutID = "0af7651916cd43dd8448eb211c80319c"
        try await WebhookRoom.with(tracing: true) { room in
            _ = try await room.subscribe()
            let api = room.api
            /// Publishes a new article in a request under the caller's trace `trace`; its id.
            func publish(inTrace trace: String, flags: String) async throws -> String {
                let id = try await api.createArticle()
                try api.expectSuccess(await api.transition(id, "submit", as: "wendy"))
                try api.expectSuccess(
                    await api.call(
                        .post, "/v1/articles/\(id)/checkpoints", as: "fiona",
                        json: ["checkpoint": "source_check", "verdict": "passed", "revision": 1, "note": "ok"]))
                try api.expectSuccess(await api.transition(id, "approve", as: "eddie"))
                try api.expectSuccess(
                    await api.call(
                        .post, "/v1/articles/\(id)/transitions", as: "eddie", json: ["action": "publish"],
                        headers: [HTTPField.Name("traceparent")!: "00-\(trace)-00f067aa0ba902b7-\(flags)"]))
                return id
            }
            let tracedArticle = try await publish(inTrace: traceID, flags: "01")
            let sampledOutArticle = try await publish(inTrace: sampledOutID, flags: "00")
            try await room.drain(room.dispatcher()) { room.receiver.received.count >= 2 }

            /// The one `traceparent` the receiver got with the article's delivery, split at its dashes.
            func traceparent(of article: String) throws -> [Substring] {
                let delivery = try #require(room.receiver.received.first { String(decoding: $0.body, as: UTF8.self).contains(article) })
                let headers = delivery.headers[values: HTTPField.Name("traceparent")!]
                #expect(headers.count == 1, "\(headers)")
                return try #require(headers.first).split(separator: "-")
            }
            let traced = try traceparent(of: tracedArticle)
            #expect(traced.count == 4 && traced[1] == traceID && traced[3] == "01", "\(traced)")
            let sampledOut = try traceparent(of: sampledOutArticle)
            #expect(sampledOut.count == 4 && sampledOut[1] != sampledOutID, "a trace of its own: \(sampledOut)")
            #expect(try await room.count("SELECT count(*) FROM webhook_deliveries WHERE traceparent IS NOT NULL") == 1)

            let spans = try await Collector.spans(of: traceID, from: collector) { spans in
                spans.contains { $0.name == "webhook.deliver" } && spans.contains { $0.name == "transition.publish" }
            }
            let delivery = try #require(spans.first { $0.name == "webhook.deliver" }, "\(spans)")
            let publish = try #require(spans.first { $0.name == "transition.publish" }, "\(spans)")
            #expect(delivery.parentID == publish.spanID, "\(spans)")
            #expect(delivery.spanID == traced[2], "the receiver's traceparent names the delivery's span: \(delivery)")
            #expect(delivery.attributes["galley.webhook.event"] == "article.published")
        }
    }
}

/// The OTLP/HTTP receiver this suite's tests export to. Tracing is bootstrapped once per
/// process, by the first test that asks; each test reads the spans of its own trace ids.
private enum Collector {
    static let started = Task<WebhookReceiver, any Error> {
        let collector = try await WebhookReceiver.start()
        collector.answer(.status(.ok, body: []))
        // Only what a caller's `traceparent` samples is recorded: the other suites' work,
        // in this process too, stays out of the way.
        let environment = [
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.url, "OTEL_SERVICE_NAME": "galley-test",
            "OTEL_TRACES_SAMPLER": "parentbased_always_off", "OTEL_BSP_SCHEDULE_DELAY": "100",
        ]
        let configuration = try #require(try TracingConfiguration(environment: environment))
        let exporter = GalleyTracing.bootstrap(configuration, logger: Logger(label: "test.traces"))
        Task { await exporter.run() }  // until the test process ends
        return collector
    }

    /// The spans of `traceID` received, once `complete` holds of them or 30 seconds passed.
    static func spans(of traceID: String, from collector: WebhookReceiver, until complete: ([Span]) -> Bool) async throws -> [Span] {
        var spans: [Span] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            spans = collector.received.flatMap { Span.all(in: $0.body) }.filter { $0.traceID == traceID }
            if complete(spans) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return spans
    }
}

/// A span as OTLP/HTTP carries it (an `ExportTraceServiceRequest` in protobuf), ids in hex.
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
        var spans: [Span] = []
        for resourceSpans in Protobuf.messages(1, in: Array(body)) {
            for scopeSpans in Protobuf.messages(2, in: resourceSpans) {
                for span in Protobuf.messages(2, in: scopeSpans) {
                    var attributes: [String: String] = [:]
                    for pair in Protobuf.messages(9, in: span) {
                        guard let key = Protobuf.string(1, in: pair), let value = Protobuf.messages(2, in: pair).first else { continue }
                        attributes[key] = Protobuf.fields(value).first.map { "\($0.value)" }
                    }
                    spans.append(
                        Span(
                            traceID: Protobuf.hex(1, in: span), spanID: Protobuf.hex(2, in: span), parentID: Protobuf.hex(4, in: span),
                            name: Protobuf.string(5, in: span) ?? "", start: Protobuf.number(7, in: span),
                            end: Protobuf.number(8, in: span), attributes: attributes))
                }
            }
        }
        return spans
    }
}

/// Protocol buffers' wire format, read as far as these tests need.
private enum Protobuf {
    enum Value: CustomStringConvertible {
        case number(UInt64)
        case bytes([UInt8])

        var description: String {
            switch self {
            case .number(let value): "\(value)"
            case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    /// Every field of a message in order; empty for what is not one.
    static func fields(_ message: [UInt8]) -> [(field: UInt64, value: Value)] {
        var fields: [(field: UInt64, value: Value)] = []
        var index = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < message.count, shift < 64 {
                let byte = message[index]
                index += 1
                value |= UInt64(byte & 0x7f) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }
        func fixed(_ width: Int) -> UInt64? {
            guard index + width <= message.count else { return nil }
            defer { index += width }
            return message[index..<index + width].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        while index < message.count, let key = varint() {
            let value: Value
            switch key & 7 {
            case 0:
                guard let number = varint() else { return [] }
                value = .number(number)
            case 1:
                guard let number = fixed(8) else { return [] }
                value = .number(number)
            case 5:
                guard let number = fixed(4) else { return [] }
                value = .number(number)
            case 2:
                guard let length = varint(), index + Int(length) <= message.count else { return [] }
                value = .bytes(Array(message[index..<index + Int(length)]))
                index += Int(length)
            default: return []
            }
            fields.append((key >> 3, value))
        }
        return fields
    }

    static func messages(_ field: UInt64, in message: [UInt8]) -> [[UInt8]] {
        fields(message).compactMap { if $0.field == field, case .bytes(let bytes) = $0.value { bytes } else { nil } }
    }

    static func string(_ field: UInt64, in message: [UInt8]) -> String? {
        messages(field, in: message).first.map { String(decoding: $0, as: UTF8.self) }
    }

    static func hex(_ field: UInt64, in message: [UInt8]) -> String {
        (messages(field, in: message).first ?? []).map { String(format: "%02x", $0) }.joined()
    }

    static func number(_ field: UInt64, in message: [UInt8]) -> UInt64 {
        fields(message).lazy.compactMap { if $0.field == field, case .number(let value) = $0.value { value } else { nil } }.first ?? 0
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
