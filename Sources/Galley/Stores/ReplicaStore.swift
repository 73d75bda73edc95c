import Postgres

/// What a server says of its own replication: no table, PostgreSQL's recovery functions.
enum ReplicaStore {
    /// Whether the server is a standby, and how far its replay trails what it has received:
    /// 0 when it has replayed all of it (an idle primary makes no newer commits to trail).
    static let replay = StoreRead<ReplicaReads.Replay>(
        sql: """
            SELECT pg_is_in_recovery() AS standby,
                   CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                        ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8 AS lag
            """
    ) { rows in
        guard let row = rows.single else { throw PostgresError(kind: .decoding, message: "the replay probe returned no row") }
        return ReplicaReads.Replay(isStandby: try row.decode("standby"), lagSeconds: try row.decode("lag"))
    }
}
