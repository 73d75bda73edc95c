import Hummingbird
import Postgres
import Prometheus

/// Prometheus metrics: requests by route and status with durations, database pool use,
/// and article transitions by action.
public struct HTTPMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    func record(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(name: "galley_http_requests_total", labels: labels).increment()
        registry.makeDurationHistogram(
            name: "galley_http_request_duration_seconds", labels: [("method", method), ("route", route)], buckets: Self.buckets
        ).record(duration)
    }

    func transition(_ action: String) {
        registry.makeCounter(name: "galley_article_transitions_total", labels: [("action", action)]).increment()
    }

    /// The text exposition, with the pool's state read at scrape time.
    func exposition(pool: PostgresPool) -> String {
        let usage = pool.usage
        registry.makeGauge(name: "galley_db_pool_size").set(Double(usage.size))
        registry.makeGauge(name: "galley_db_pool_in_use").set(Double(usage.inUse))
        registry.makeGauge(name: "galley_db_pool_waiting").set(Double(usage.waiting))
        return registry.emitToString()
    }
}
