import Tracing

/// The tracer `galley serve` bootstraps when traces are exported: W3C Trace Context in and out,
/// OpenTelemetry's samplers, and recorded spans handed to an `OTLPExporter` through its
/// buffer. A span sampled out costs its ids and its context, nothing more.
public struct GalleyTracer: Tracer {
    public typealias Span = GalleySpan

    let sampler: TraceSampler
    let buffer: SpanBuffer
    private let ids = IDGenerator()

    init(sampler: TraceSampler, buffer: SpanBuffer) {
        self.sampler = sampler
        self.buffer = buffer
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
        function: String, file fileID: String, line: UInt
    ) -> GalleySpan {
        var context = context()
        let parent = context.spanIdentity
        let traceID = parent?.traceID ?? TraceID(high: ids.next(), low: ids.next())
        let sampled = sampler.samples(traceID, parent: parent)
        let identity = SpanIdentity(traceID: traceID, spanID: SpanID(ids.next()), isSampled: sampled, traceState: parent?.traceState)
        context.spanIdentity = identity
        guard sampled else { return GalleySpan(context: context, recording: nil) }
        let recording = RecordingSpan(
            name: operationName, identity: identity, parentSpanID: parent?.spanID, kind: kind, start: instant().nanosecondsSinceEpoch,
            buffer: buffer)
        return GalleySpan(context: context, recording: recording)
    }

    public func forceFlush() { buffer.requestExport() }

    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier), var identity = SpanIdentity(traceparent: header) else {
            return
        }
        if let state = extractor.extract(key: "tracestate", from: carrier), !state.isEmpty, state.utf8.count <= SpanIdentity.longestTraceState {
            identity.traceState = state
        }
        context.spanIdentity = identity
    }

    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let identity = context.spanIdentity else { return }
        injector.inject(identity.traceparent, forKey: "traceparent", into: &carrier)
        if let state = identity.traceState { injector.inject(state, forKey: "tracestate", into: &carrier) }
    }
}
