import Postgres

extension AuditStore {
    /// Many events in one statement, in the given order: the BEFORE INSERT trigger numbers and
    /// links each row in turn, exactly as if they had been inserted one by one, and ids follow
    /// the same order. The columns are `insert(_:)`'s.
    static func insert(_ entries: [AuditEntry]) -> SQL {
        func column<Value: PostgresEncodable>(_ value: (AuditEntry) -> Value) -> TextArray { TextArray(entries.map(value)) }
        return """
            \(insertColumns)
            SELECT e.chain, 0, '', '', e.actor_id, e.actor_name, e.action, e.article_id, e.revision,
                   e.from_state, e.to_state, e.reason, e.details, e.request_id, e.at
            FROM unnest(\(column { $0.chain })::text[], \(column { $0.principal.actorID })::uuid[], \(column { $0.principal.name })::text[],
                        \(column { $0.action })::text[], \(column { $0.articleID })::uuid[], \(column { $0.revision })::integer[],
                        \(column { $0.fromState })::text[], \(column { $0.toState })::text[], \(column { $0.reason })::text[],
                        \(column { $0.details })::jsonb[], \(column { $0.requestID })::text[], \(column { $0.at })::timestamptz[])
                WITH ORDINALITY AS e(chain, actor_id, actor_name, action, article_id, revision, from_state, to_state, reason,
                                     details, request_id, at, position)\(tracing(after: " WHERE"))
            ORDER BY e.position
            """
    }
}
