import Foundation
import Galley
import Postgres
import Tracing

/// A span for each database round trip, under the span of the task that made it: named by
/// its statements (`StatementName`), with its row count and whether it failed, never a
/// parameter's value. Made once the round trip is over, dated back to its start.
public struct DatabaseSpans: PostgresObserver {
    // Read once, after tracing is bootstrapped: the system's accessor locks and casts each call.
    private let tracer: any Tracer

    public init() { tracer = InstrumentationSystem.tracer }

    public func roundTrip(statements: [String], rows: Int, duration: Duration, failed: Bool) {
        // Part of a request sampled out (most are; asked first, it spares the context's
        // look-up), or not of a traced operation.
        guard TraceRecording.isOn, let context = ServiceContext.current else { return }
        let end = DefaultTracerClock.now
        let nanoseconds =
            UInt64(max(0, duration.components.seconds)) * 1_000_000_000 + UInt64(max(0, duration.components.attoseconds)) / 1_000_000_000
        let start = SpanInstant(nanosecondsSinceEpoch: end.nanosecondsSinceEpoch &- min(nanoseconds, end.nanosecondsSinceEpoch))
        let span = tracer.startSpan("db", context: context, ofKind: .client, at: start)
        // Most requests are sampled out: naming the statements is most of a span's cost.
        guard span.isRecording else { return span.end() }
        let name = DatabaseMetrics.name(of: statements)
        span.operationName = name
        span.updateAttributes { attributes in  // one copy under the span's lock, not four
            attributes["db.system"] = "postgresql"
            attributes["db.operation.name"] = name
            attributes["db.response.returned_rows"] = rows
            attributes["db.statement.count"] = statements.count
        }
        if failed { span.setStatus(SpanStatus(code: .error)) }
        span.end(at: SpanInstant(nanosecondsSinceEpoch: end.nanosecondsSinceEpoch))
    }

    public func waitedForConnection(_ duration: Duration) {}
}

/// A point in time for a span made after the fact.
private struct SpanInstant: TracerInstant {
    let nanosecondsSinceEpoch: UInt64

    static func < (lhs: SpanInstant, rhs: SpanInstant) -> Bool { lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch }
}
