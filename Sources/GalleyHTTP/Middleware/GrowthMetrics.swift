import Foundation
import Galley
import Prometheus

/// How big the growing tables are, and what this server's last pruning run removed
/// (docs/operations.md, "Retention and pruning").
extension HTTPMetrics {
    private static var tableSize: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "table", metricName: "size", unitName: "bytes",
            helpText: "Bytes on disk of a table that grows, with its indexes and TOAST.")
    }
    private static var lastPrune: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "prune", metricName: "last_run", unitName: "timestamp_seconds",
            helpText: "When this server last finished a pruning run (Unix time).")
    }
    private static var lastPruneRows: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "galley", subsystem: "prune", metricName: "last_run", unitName: "rows",
            helpText: "Rows this server's last pruning run removed, by table.")
    }

    /// Records a pruning run that did its work (a skipped one leaves the last run shown).
    func pruned(_ report: RetentionService.Report, at time: Date) {
        guard !report.skipped else { return }
        registry.makeGauge(descriptor: Self.lastPrune).set(time.timeIntervalSince1970)
        for (table, rows) in report.byTable {
            registry.makeGauge(descriptor: Self.lastPruneRows, labels: [("table", table)]).set(Double(rows))
        }
    }

    /// Sets each table's size as read at scrape time.
    func tableSizes(_ sizes: [String: Int]) {
        for (table, bytes) in sizes {
            registry.makeGauge(descriptor: Self.tableSize, labels: [("table", table)]).set(Double(bytes))
        }
    }
}
