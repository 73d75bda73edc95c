import Galley
import Prometheus
import Synchronization

/// What the services count (`Tallies`, `ReadCaches.lookups`) and what the database holds
/// (`OperationsGauges`), carried into the registry at each scrape. Counters advance by what
/// was counted since the last scrape, so they stay counters for `rate()`.
final class DomainMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let seen = Mutex<Seen>(Seen())

    private struct Seen {
        var counts: [String: Int] = [:]
        var steps: Set<String> = []
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func update(tallies: [Tallies.Key: Int], lookups: [(cache: String, hits: Int, misses: Int)], gauges: OperationsGauges?) {
        seen.withLock { seen in
            for (key, count) in tallies {
                let (descriptor, labels) =
                    key.kind == "transition"
                    ? (Self.transitions, [("action", key.subject), ("outcome", key.outcome)])
                    : (Self.verdicts, [("verdict", key.subject), ("outcome", key.outcome)])
                advance(registry.makeCounter(descriptor: descriptor, labels: labels), to: count, key: "\(key)", seen: &seen)
            }
            for lookup in lookups {
                for (result, count) in [("hit", lookup.hits), ("miss", lookup.misses)] {
                    advance(
                        registry.makeCounter(descriptor: Self.cacheLookups, labels: [("cache", lookup.cache), ("result", result)]),
                        to: count, key: "cache \(lookup.cache) \(result)", seen: &seen)
                }
            }
            guard let gauges else { return }
            for step in seen.steps.union(gauges.queueDepth.keys) {
                registry.makeGauge(descriptor: Self.queueDepth, labels: [("step", step)]).set(Double(gauges.queueDepth[step] ?? 0))
            }
            seen.steps.formUnion(gauges.queueDepth.keys)
            if let age = gauges.sealAge { registry.makeGauge(descriptor: Self.sealAge).set(age) }
            registry.makeGauge(descriptor: Self.auditEvents).set(Double(gauges.auditEvents))
            registry.makeGauge(descriptor: Self.webhookBacklog).set(Double(gauges.webhookBacklog))
            registry.makeGauge(descriptor: Self.webhookOldest).set(gauges.webhookOldestUndeliveredAge)
        }
    }

    private func advance(_ counter: Counter, to count: Int, key: String, seen: inout Seen) {
        let delta = count - seen.counts[key, default: 0]
        if delta > 0 { counter.increment(by: Int64(delta)) }
        seen.counts[key] = count
    }

    private static func descriptor(_ subsystem: String, _ name: String, _ unit: String?, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "galley", subsystem: subsystem, metricName: name, unitName: unit, helpText: help)
    }

    static var transitions: MetricNameDescriptor {
        descriptor(
            "article", "transitions", "total",
            "Article transitions by action and outcome (applied, refused by a rule or the caller's mistake, failed).")
    }
    static var verdicts: MetricNameDescriptor {
        descriptor("review", "verdicts", "total", "Checkpoint verdicts by verdict and outcome (applied, refused, failed).")
    }
    static var cacheLookups: MetricNameDescriptor {
        descriptor("read_cache", "lookups", "total", "Read-cache lookups by cache and result (hit, miss).")
    }
    static var queueDepth: MetricNameDescriptor { descriptor("queue", "open_steps", nil, "Open steps of the work queue, by step.") }
    static var sealAge: MetricNameDescriptor { descriptor("audit", "seal_age", "seconds", "Seconds since the newest audit seal.") }
    static var auditEvents: MetricNameDescriptor { descriptor("audit", "log_length", "events", "The audit log's length: its newest event's id.") }
    static var webhookBacklog: MetricNameDescriptor {
        descriptor("webhook", "backlog", "deliveries", "Webhook deliveries not yet delivered or given up on.")
    }
    static var webhookOldest: MetricNameDescriptor {
        descriptor(
            "webhook", "oldest_undelivered_age", "seconds", "Seconds the oldest undelivered webhook delivery has waited (0 with none).")
    }
}
