import Foundation
import Postgres
import TestSupport
import Testing

/// A task cancelled while its connection body waits on the database gets its statement
/// cancelled: the body fails, its transaction rolls back, and the pool serves again.
@Suite struct CancellationTests {
    @Test func cancellingTheTaskCancelsTheStatementItWaitsOn() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 1) { pool, _ in
            try await pool.execute("CREATE TABLE cancel_probe (n int)")
            let started = ContinuousClock.now
            let sleeper = Task {
                try await pool.withConnection { conn in
                    try conn.inTransaction { conn in
                        try conn.execute("INSERT INTO cancel_probe VALUES (1)")
                        _ = try conn.query("SELECT pg_sleep(60)")
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            sleeper.cancel()
            let error = try await #require(throws: PostgresError.self) { try await sleeper.value }
            #expect(error.sqlState == SQLState.queryCanceled)
            #expect(ContinuousClock.now - started < .seconds(30))
            #expect(try await pool.query("SELECT count(*)::int AS n FROM cancel_probe").single?.decode("n", as: Int.self) == 0)
        }
    }
}
