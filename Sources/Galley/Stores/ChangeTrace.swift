import Postgres
import Tracing

/// The trace a change is made in, handed to the database with the change's audit event so
/// that the webhook deliveries it causes join that trace (sql/0031, docs/observability.md).
enum ChangeTrace {
    /// The W3C `traceparent` of the current span (the domain operation, or the request), when
    /// its trace is being recorded; nil without a tracer, outside a span, or when the trace is
    /// sampled out: then nothing is stored and the statements are the untraced ones.
    static var current: String? {
        guard let context = ServiceContext.current, TraceRecording.isOn else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        guard let traceparent = carrier["traceparent"], isSampled(traceparent) else { return nil }
        return traceparent
    }

    /// `00-<trace id>-<parent id>-<flags>` whose flags have the sampled bit.
    static func isSampled(_ traceparent: String) -> Bool {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            let flags = UInt8(parts[3], radix: 16)
        else { return false }
        return flags & 1 == 1
    }

    /// A condition that is true and, evaluated for each row the statement inserts (before its
    /// triggers fire), sets `galley.traceparent`, which the trigger that queues the deliveries
    /// reads, until the transaction ends.
    static func handingOn(_ traceparent: String) -> SQL {
        "set_config('galley.traceparent', \(traceparent)::text, true) IS NOT NULL"
    }
}

private struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}
