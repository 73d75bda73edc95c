import Prometheus

/// Webhook attempts by outcome, and how long after its event each delivery arrived.
struct WebhookMetrics: Sendable {
    private let delivered: Counter
    private let failed: Counter
    private let lag: DurationHistogram

    init(registry: PrometheusCollectorRegistry) {
        let attempts = MetricNameDescriptor(
            namespace: "galley", subsystem: "webhook", metricName: "attempts", unitName: "total",
            helpText: "Webhook delivery attempts by outcome (delivered: a 2xx answer; failed: anything else).")
        delivered = registry.makeCounter(descriptor: attempts, labels: [("outcome", "delivered")])
        failed = registry.makeCounter(descriptor: attempts, labels: [("outcome", "failed")])
        lag = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "galley", subsystem: "webhook", metricName: "delivery_lag", unitName: "seconds",
                helpText: "Time from an event to its webhook delivery's successful attempt."),
            buckets: [
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
                .seconds(30), .seconds(60), .seconds(300), .seconds(900), .seconds(3600),
            ])
    }

    func attempted(delivered succeeded: Bool, lag delay: Duration) {
        if succeeded {
            delivered.increment()
            lag.record(max(delay, .zero))
        } else {
            failed.increment()
        }
    }
}
