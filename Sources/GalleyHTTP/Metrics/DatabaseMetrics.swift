import Postgres
import Prometheus
import Synchronization

/// Each database round trip's time by statement name (`StatementName`: verb and first table,
/// never a value), and each wait for a pooled connection: the pool's `PostgresObserver`.
///
/// A statement's histogram is looked up by its text in a map of its own, so a round trip
/// costs one hash of text the pool has already built, not a registry lookup with its labels.
public final class DatabaseMetrics: PostgresObserver {
    private let registry: PrometheusCollectorRegistry
    private let made = Mutex<[[String]: DurationHistogram]>([:])
    private let poolWait: DurationHistogram
    /// Statement texts kept in the map at most; beyond them (texts with a varying number of
    /// placeholders), each round trip asks the registry.
    private static let remembered = 4096

    static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
    ]

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        poolWait = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "galley", subsystem: "db_pool", metricName: "wait_duration", unitName: "seconds",
                helpText: "Time a caller waited for a pooled connection (zero when one was free)."),
            buckets: Self.buckets)
    }

    public func roundTrip(statements: [String], rows: Int, duration: Duration, failed: Bool) {
        let histogram = made.withLock { made in
            if let found = made[statements] { return found }
            let new = registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    namespace: "galley", subsystem: "db", metricName: "round_trip_duration", unitName: "seconds",
                    helpText: "Time of a round trip to the database, by statement (a pipeline's joined with +)."),
                labels: [("statement", Self.name(of: statements))], buckets: Self.buckets)
            if made.count < Self.remembered { made[statements] = new }
            return new
        }
        histogram.record(duration)
    }

    public func waitedForConnection(_ duration: Duration) {
        poolWait.record(duration)
    }

    /// Round trips' names already made, by their statements' texts: naming parses each text,
    /// a lookup only hashes it, and a recorded trace names every round trip it holds.
    private static let names = Mutex<[[String]: String]>([:])

    /// A round trip's name: its statements' names, each once, in order (`BEGIN + UPDATE articles + INSERT audit_events`).
    static func name(of statements: [String]) -> String {
        if let known = names.withLock({ $0[statements] }) { return known }
        var parts: [String] = []
        for statement in statements {
            let part = StatementName.of(statement)
            if !parts.contains(part) { parts.append(part) }
        }
        let name = parts.joined(separator: " + ")
        names.withLock { names in
            if names.count < remembered { names[statements] = name }
        }
        return name
    }
}
