import Galley
import Hummingbird
import Postgres
import Prometheus
import Synchronization

/// Prometheus metrics: requests by route and status with durations, database pool use and
/// round trips (`DatabaseMetrics`), what the services counted and the database holds
/// (`DomainMetrics`), and webhook attempts (`WebhookMetrics`). Series are listed in
/// docs/observability.md.
public struct HTTPMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// The pool's observer: give it to `PostgresConfiguration.observer`.
    public let database: DatabaseMetrics
    let domain: DomainMetrics
    let webhooks: WebhookMetrics
    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "http", metricName: "requests", unitName: "total", helpText: "HTTP requests by route and status.")
    }
    private static var requestDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "http", metricName: "request_duration", unitName: "seconds", helpText: "Time to answer a request.")
    }
    private static var contentProbes: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "content", metricName: "probes", unitName: "total",
            helpText: "Freshness probes the content API sent; each serves every request that arrived before it was sent.")
    }
    private static var poolSize: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "db_pool", metricName: "size", unitName: "connections", helpText: "Connections the pool may open.")
    }
    private static var poolInUse: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "db_pool", metricName: "in_use", unitName: "connections", helpText: "Connections leased now.")
    }
    private static var replicaUp: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "galley", subsystem: "replica", metricName: "up", unitName: "", helpText: "1 when the read replica answers.")
    }
    private static var replicaStandby: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "replica", metricName: "standby", unitName: "", helpText: "1 when the read URL leads to a standby.")
    }
    private static var replicaLag: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "replica", metricName: "lag", unitName: "seconds",
            helpText: "How far the replica's replay trails the WAL it received; -1 when it does not answer.")
    }
    private static var replicaReads: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "replica", metricName: "reads", unitName: "served",
            helpText: "Reads that may trail, by the server that answered them.")
    }
    private static var poolWaiting: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "db_pool", metricName: "waiting", unitName: "callers", helpText: "Callers waiting for a connection.")
    }

    /// Each route's counter and histogram, kept once made: asking the registry builds the
    /// label arrays and looks them up under its lock on every request (~2% of the server's
    /// CPU when reading articles).
    private let routeMetrics = RouteMetrics()

    private final class RouteMetrics: Sendable {
        struct Key: Hashable {
            let method: String
            let route: String
            let status: Int
        }
        let made = Mutex<[Key: (Counter, DurationHistogram)]>([:])
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        database = DatabaseMetrics(registry: registry)
        domain = DomainMetrics(registry: registry)
        webhooks = WebhookMetrics(registry: registry)
    }

    /// Methods counted under their own name; any other is counted as `OTHER`, so a client
    /// inventing methods cannot grow the registry without bound.
    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    func record(method: String, route: String, status: Int, duration: Duration) {
        let method = Self.knownMethods.contains(method) ? method : "OTHER"
        let key = RouteMetrics.Key(method: method, route: route, status: status)
        let (counter, histogram) = routeMetrics.made.withLock { made in
            if let found = made[key] { return found }
            let new = (
                registry.makeCounter(descriptor: Self.requests, labels: [("method", method), ("route", route), ("status", String(status))]),
                registry.makeDurationHistogram(
                    descriptor: Self.requestDuration, labels: [("method", method), ("route", route)], buckets: Self.buckets)
            )
            made[key] = new
            return new
        }
        counter.increment()
        histogram.record(duration)
    }

    /// Counts the content API's freshness probes (`ContentFreshness`).
    func contentProbeCounter() -> Counter {
        registry.makeCounter(descriptor: Self.contentProbes)
    }

    /// The text exposition, with the pool's state, the services' counts, the database's
    /// gauges (one statement, `OperationsGauges`) and the replica's replay (`replay`, asked
    /// by the caller) read at scrape time. When the database does not answer, the gauges keep
    /// their last values and the rest is still served.
    func exposition(pool: PostgresPool, services: GalleyServices, replay: ReplicaReads.Replay? = nil) async -> String {
        let gauges = try? await OperationsGauges.read(pool)
        domain.update(tallies: services.environment.tallies.snapshot, lookups: services.environment.caches.lookups, gauges: gauges)
        let usage = pool.usage
        registry.makeGauge(descriptor: Self.poolSize).set(Double(usage.size))
        registry.makeGauge(descriptor: Self.poolInUse).set(Double(usage.inUse))
        registry.makeGauge(descriptor: Self.poolWaiting).set(Double(usage.waiting))
        if let replica = services.environment.replica { recordReplica(replica, replay: replay) }
        return registry.emitToString()
    }

    /// Whether the replica answers and is a standby, its replay lag (-1 while it does not
    /// answer), and the reads it served or handed to the primary.
    private func recordReplica(_ replica: ReplicaReads, replay: ReplicaReads.Replay?) {
        registry.makeGauge(descriptor: Self.replicaUp).set(Double(replay == nil ? 0 : 1))
        registry.makeGauge(descriptor: Self.replicaStandby).set(Double(replay?.isStandby == true ? 1 : 0))
        registry.makeGauge(descriptor: Self.replicaLag).set(replay?.lagSeconds ?? -1)
        let served = replica.served
        registry.makeGauge(descriptor: Self.replicaReads, labels: [("from", "replica")]).set(Double(served.replica))
        registry.makeGauge(descriptor: Self.replicaReads, labels: [("from", "primary")]).set(Double(served.primary))
    }
}
