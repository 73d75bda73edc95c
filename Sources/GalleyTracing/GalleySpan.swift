import Synchronization
import Tracing

/// A span of `GalleyTracer`. One sampled out carries only its context (its ids, for the
/// logs and for propagation) and records nothing.
public struct GalleySpan: Tracing.Span {
    public let context: ServiceContext
    let recording: RecordingSpan?

    public var isRecording: Bool { recording != nil }

    public var operationName: String {
        get { recording?.state.withLock(\.name) ?? "" }
        nonmutating set { recording?.state.withLock { $0.name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { recording?.state.withLock(\.attributes) ?? [:] }
        nonmutating set { recording?.state.withLock { $0.attributes = newValue } }
    }

    public func setStatus(_ status: SpanStatus) {
        recording?.state.withLock { $0.status = status }
    }

    public func addEvent(_ event: SpanEvent) {
        recording?.state.withLock { state in
            if state.events.count < RecordingSpan.mostEvents { state.events.append(event) }
        }
    }

    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        guard recording != nil else { return }
        var attributes = attributes
        attributes["exception.type"] = String(reflecting: type(of: error))
        attributes["exception.message"] = String(describing: error)
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: attributes))
    }

    public func addLink(_ link: SpanLink) {
        guard let identity = link.context.spanIdentity else { return }
        recording?.state.withLock { state in
            if state.links.count < RecordingSpan.mostLinks { state.links.append(.init(identity: identity, attributes: link.attributes)) }
        }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        recording?.end(at: instant().nanosecondsSinceEpoch)
    }
}

/// What a recorded span holds until it ends and goes to the exporter.
final class RecordingSpan: Sendable {
    static let mostEvents = 128
    static let mostLinks = 128

    struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var events: [SpanEvent] = []
        var links: [FinishedSpan.Link] = []
        var status: SpanStatus?
        var ended = false
    }

    let state: Mutex<State>
    private let identity: SpanIdentity
    private let parentSpanID: SpanID?
    private let kind: SpanKind
    private let start: UInt64
    private let buffer: SpanBuffer

    init(name: String, identity: SpanIdentity, parentSpanID: SpanID?, kind: SpanKind, start: UInt64, buffer: SpanBuffer) {
        state = Mutex(State(name: name))
        self.identity = identity
        self.parentSpanID = parentSpanID
        self.kind = kind
        self.start = start
        self.buffer = buffer
    }

    /// Hands the span to the exporter, once: a second end is ignored.
    func end(at end: UInt64) {
        let finished: FinishedSpan? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            return FinishedSpan(
                identity: identity, parentSpanID: parentSpanID, name: state.name, kind: kind, start: start, end: max(end, start),
                attributes: state.attributes, events: state.events, links: state.links, status: state.status)
        }
        if let finished { buffer.append(finished) }
    }
}

/// An ended span, as the exporter sends it.
struct FinishedSpan: Sendable {
    struct Link: Sendable {
        let identity: SpanIdentity
        let attributes: SpanAttributes
    }

    let identity: SpanIdentity
    let parentSpanID: SpanID?
    let name: String
    let kind: SpanKind
    let start: UInt64
    let end: UInt64
    let attributes: SpanAttributes
    let events: [SpanEvent]
    let links: [Link]
    let status: SpanStatus?
}
