import CoreMetrics
import Prometheus

extension HTTPMetrics {
    /// Metrics for the server process, on the registry that swift-metrics reports to, so what
    /// libraries count through swift-metrics appears on `/metrics` too. swift-metrics may be
    /// bootstrapped only once per process: the registry is made, and bootstrapped, once.
    public static func forProcess() -> HTTPMetrics {
        HTTPMetrics(registry: processRegistry)
    }

    private static let processRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
