import Tracing

/// Whether the trace of the work in progress is being recorded. Under a sampling tracer most
/// requests are sampled out, and a span started under one still draws ids and allocates while
/// recording nothing; the request's layer says so here once, and the spans that would hang
/// under it (the domain operation, each database round trip) are then not started at all.
/// Work that never says (no tracer, the CLI) traces as the tracer decides.
public enum TraceRecording {
    @TaskLocal public static var isOn = true
}

/// `work` inside a span of its own for a domain operation, or just `work` when the trace it
/// belongs to is not recorded.
func withOperationSpan<T>(
    _ name: @autoclosure () -> String, attributes: @autoclosure () -> SpanAttributes = [:], _ work: () async throws -> T
) async throws -> T {
    guard TraceRecording.isOn else { return try await work() }
    return try await withSpan(name(), ofKind: .internal) { span in
        let attributes = attributes()
        if !attributes.isEmpty { span.attributes.merge(attributes) }
        return try await work()
    }
}
