import Tracing

/// An `ExportTraceServiceRequest` (opentelemetry-proto, trace/v1 and collector/trace/v1) of
/// one resource and one instrumentation scope, in protobuf, as OTLP/HTTP sends it.
enum OTLPEncoding {
    /// Longer string attribute values are cut to this many Unicode scalars: a client controls
    /// some (a path, a user agent).
    static let longestValue = 1024

    static func request(_ spans: ArraySlice<FinishedSpan>, resource: [(key: String, value: String)]) -> [UInt8] {
        var request = ProtobufWriter()
        request.message(1) { resourceSpans in  // ResourceSpans
            resourceSpans.message(1) { message in  // Resource
                for (key, value) in resource { keyValue(&message, 1, key, .string(value)) }
            }
            resourceSpans.message(2) { scopeSpans in  // ScopeSpans
                scopeSpans.message(1) { scope in scope.string(1, "galley") }
                for span in spans { scopeSpans.message(2) { write(span, to: &$0) } }
            }
        }
        return request.bytes
    }

    private static func write(_ span: FinishedSpan, to message: inout ProtobufWriter) {
        message.id(1, span.identity.traceID.high, span.identity.traceID.low)
        message.id(2, span.identity.spanID.value)
        if let state = span.identity.traceState { message.string(3, state) }
        if let parent = span.parentSpanID { message.id(4, parent.value) }
        message.string(5, span.name)
        message.varint(6, kind(span.kind))
        message.fixed64(7, span.start)
        message.fixed64(8, span.end)
        keyValues(&message, 9, span.attributes)
        for event in span.events {
            message.message(11) { event_ in
                event_.fixed64(1, event.nanosecondsSinceEpoch)
                event_.string(2, event.name)
                keyValues(&event_, 3, event.attributes)
            }
        }
        for link in span.links {
            message.message(13) { link_ in
                link_.id(1, link.identity.traceID.high, link.identity.traceID.low)
                link_.id(2, link.identity.spanID.value)
                if let state = link.identity.traceState { link_.string(3, state) }
                keyValues(&link_, 4, link.attributes)
            }
        }
        if let status = span.status {
            message.message(15) { status_ in
                if let text = status.message { status_.string(2, text) }
                status_.varint(3, status.code == .ok ? 1 : 2)
            }
        }
    }

    private static func kind(_ kind: SpanKind) -> UInt64 {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }

    /// A `KeyValue` in field `field` for each attribute.
    private static func keyValues(_ message: inout ProtobufWriter, _ field: UInt64, _ attributes: SpanAttributes) {
        // swift-format-ignore: ReplaceForEachWithForLoop
        // (`SpanAttributes` is not a sequence.)
        attributes.forEach { key, value in keyValue(&message, field, key, value) }
    }

    /// A `KeyValue` in field `field`.
    private static func keyValue(_ message: inout ProtobufWriter, _ field: UInt64, _ key: String, _ value: SpanAttribute) {
        message.message(field) { pair in
            pair.string(1, key)
            pair.message(2) { anyValue(&$0, value) }
        }
    }

    /// An `AnyValue`'s one field.
    private static func anyValue(_ message: inout ProtobufWriter, _ value: SpanAttribute) {
        func array<T>(_ values: [T], _ each: (inout ProtobufWriter, T) -> Void) {
            message.message(5) { list in
                for value in values { list.message(1) { each(&$0, value) } }
            }
        }
        switch value {
        case .int32(let value): message.int64(3, Int64(value))
        case .int64(let value): message.int64(3, value)
        case .double(let value): message.double(4, value)
        case .bool(let value): message.bool(2, value)
        case .string(let value): message.string(1, cut(value))
        case .stringConvertible(let value): message.string(1, cut(String(describing: value)))
        case .int32Array(let values): array(values) { $0.int64(3, Int64($1)) }
        case .int64Array(let values): array(values) { $0.int64(3, $1) }
        case .doubleArray(let values): array(values) { $0.double(4, $1) }
        case .boolArray(let values): array(values) { $0.bool(2, $1) }
        case .stringArray(let values): array(values) { $0.string(1, cut($1)) }
        case .stringConvertibleArray(let values): array(values) { $0.string(1, cut(String(describing: $1))) }
        default: message.string(1, cut(String(describing: value)))
        }
    }

    private static func cut(_ value: String) -> String {
        value.utf8.count <= longestValue ? value : String(String.UnicodeScalarView(value.unicodeScalars.prefix(longestValue)))
    }
}
