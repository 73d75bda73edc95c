import Postgres
import TestSupport
import Testing

/// Behind PgBouncer in transaction mode a session prepares nothing
/// (`PostgresConfiguration.preparesStatements`): every way a statement is sent still answers,
/// and no named statement is left on the server for the next transaction to miss.
@Suite struct UnpreparedStatementTests {
    @Test func everyWayOfSendingAnswersWithoutPreparingAnything() async throws {
        try await TestDatabase.withEmptyDatabase { connectionString in
            let pool = PostgresPool(
                configuration: .init(connectionString: connectionString, maxConnections: 1, sharedSessions: 1, preparesStatements: false))
            #expect(pool.configuration.sharedSessions == 0)
            // Sent from the event loop, from a connection's thread, in a pipeline, in a
            // transaction, and as a quick read: twice each, so a second use would meet a name.
            for _ in 0..<2 {
                #expect(try await pool.query("SELECT \(Int32(1)) + \(Int32(2)) AS three").single?.decode("three", as: Int.self) == 3)
                let piped = try await pool.withConnection { conn in
                    try conn.pipeline(["SELECT \(Int32(4))::text AS n", "SELECT \("five") AS n"]).map {
                        try $0.single!.decode(at: 0, as: String.self)
                    }
                }
                #expect(piped == ["4", "five"])
                let inTransaction = try await pool.transaction { conn in
                    try conn.query("SELECT \(Int32(6)) AS six").single!.decode("six", as: Int.self)
                }
                #expect(inTransaction == 6)
                #expect(try await pool.quickRead("SELECT \(Int32(7)) AS seven").single?.decode("seven", as: Int.self) == 7)
            }
            let named = try await pool.query("SELECT count(*)::int AS named FROM pg_prepared_statements").single?.decode("named", as: Int.self)
            #expect(named == 0)
            await pool.close()
        }
    }

    /// A statement planned each time is never prepared, so the server never settles on a
    /// generic plan for it, while the session goes on preparing the others.
    @Test func aStatementPlannedEachTimeIsNeverPrepared() async throws {
        try await TestDatabase.withEmptyDatabase { connectionString in
            let pool = PostgresPool(configuration: .init(connectionString: connectionString, maxConnections: 1, sharedSessions: 0))
            // Past the five executions after which a prepared statement may keep a generic plan.
            for n in 0..<7 {
                let sql: SQL = "SELECT \(Int32(n)) + \(Int32(2)) AS sum"
                #expect(try await pool.query(sql.plannedEachTime()).single?.decode("sum", as: Int.self) == n + 2)
                #expect(try await pool.withConnection { conn in try conn.query(sql.plannedEachTime()).single?.decode("sum", as: Int.self) } == n + 2)
            }
            let named = try await pool.query("SELECT array_agg(statement)::text AS named FROM pg_prepared_statements").single?.decode(
                "named", as: String.self)
            #expect(named?.contains("AS sum") == false)
            #expect(named?.contains("pg_prepared_statements") == true)
            await pool.close()
        }
    }
}
