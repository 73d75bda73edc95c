import Logging
import Tracing

/// Tracing as `galley serve` runs it: a `GalleyTracer` bootstrapped for the process and the
/// exporter that sends its spans.
public enum GalleyTracing {
    /// Bootstraps the process's tracer (once a process) and returns the exporter to run beside
    /// the server.
    public static func bootstrap(_ configuration: TracingConfiguration, logger: Logger) -> OTLPExporter {
        let buffer = SpanBuffer(capacity: configuration.maxQueueSize, batchSize: configuration.maxExportBatchSize)
        InstrumentationSystem.bootstrap(GalleyTracer(sampler: configuration.sampler, buffer: buffer))
        return OTLPExporter(configuration: configuration, buffer: buffer, logger: logger)
    }

    /// `trace_id`, `span_id` and `trace_flags` of the span in progress, for every log line.
    public static let logMetadata = Logger.MetadataProvider {
        guard let identity = ServiceContext.current?.spanIdentity else { return [:] }
        return [
            "trace_id": .string(identity.traceID.hex), "span_id": .string(identity.spanID.hex),
            "trace_flags": .string(identity.isSampled ? "01" : "00"),
        ]
    }
}
