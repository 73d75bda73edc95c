import Galley
import Logging
import ServiceLifecycle

#if OTelTracing
    import OTel
#endif

/// Exporting traces over OTLP/HTTP with swift-otel, which only builds with the `OTelTracing`
/// package trait (`swift build --traits OTelTracing`); the `OTEL_*` variables configure it.
enum TraceExport {
    /// Puts the current trace and span into every log line (`trace_id`, `span_id`).
    static var logMetadata: Logger.MetadataProvider? {
        #if OTelTracing
            OTel.makeLoggingMetadataProvider()
        #else
            nil
        #endif
    }

    /// Bootstraps the tracer when `configuration` asks for traces and returns the service that
    /// exports them, to run beside the server; nil when traces are not exported.
    static func start(_ configuration: GalleyConfiguration, logger: Logger) throws -> (any Service)? {
        guard configuration.tracesExported else { return nil }
        #if OTelTracing
            var otel = OTel.Configuration.default
            otel.serviceName = "galley"
            otel.logs.enabled = false
            otel.metrics.enabled = false  // Prometheus serves the metrics (/metrics)
            otel.traces.otlpExporter.protocol = .httpProtobuf
            return try OTel.bootstrap(configuration: otel)
        #else
            logger.warning(
                "OTEL_EXPORTER_OTLP_ENDPOINT is set but this galley was built without tracing; build it with `swift build -c release --traits OTelTracing` to export traces"
            )
            return nil
        #endif
    }
}
