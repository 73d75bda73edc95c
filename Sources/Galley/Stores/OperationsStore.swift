import Postgres

/// The one statement `/metrics` sends at each scrape: what an operator watches in the
/// database, read across the tables that hold it (it writes nothing). Its cost is bounded by
/// the open work, not the history: the open queue steps, the last seal by its key, the audit
/// log's newest id by its key, and the undelivered webhook deliveries by their partial index.
enum OperationsStore {
    static let gauges: SQL = """
        SELECT 'queue_depth' AS gauge, step AS label, count(*)::float8 AS value FROM queue_steps GROUP BY step
        UNION ALL
        SELECT 'seal_age', '', extract(epoch FROM now() - sealed_at)::float8
            FROM (SELECT sealed_at FROM audit_seals ORDER BY id DESC LIMIT 1) newest
        UNION ALL
        SELECT 'audit_events', '', coalesce(max(id), 0)::float8 FROM audit_events
        UNION ALL
        SELECT 'webhook_backlog', '', count(*)::float8 FROM webhook_deliveries WHERE status IN ('pending', 'delivering')
        UNION ALL
        SELECT 'webhook_oldest_undelivered_age', '', coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
            FROM webhook_deliveries WHERE status IN ('pending', 'delivering')
        """
}
