import Galley
import GalleyTracing
import Logging
import ServiceLifecycle

/// Traces exported over OTLP/HTTP when the `OTEL_*` variables ask for them (docs/observability.md).
enum TraceExport {
    /// Bootstraps the tracer when the environment asks for traces and returns the service that
    /// exports them, to run beside the server; nil when traces are not exported.
    static func start(environment: [String: String], logger: Logger) throws -> (any Service)? {
        let configuration: TracingConfiguration?
        do {
            configuration = try TracingConfiguration(environment: environment)
        } catch {
            throw ConfigurationError(variable: error.variable, value: error.value, expected: error.expected)
        }
        return configuration.map { GalleyTracing.bootstrap($0, logger: logger) }
    }
}
