import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct PoolTests {
    @Test func aWaiterGivesUpWithAClearErrorWhenThePoolIsExhausted() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 1, acquireTimeout: .milliseconds(200)) { pool, _ in
            let holder = await holdingTheOnlyConnection(of: pool, for: 12)
            let started = ContinuousClock.now
            let error = try await #require(throws: PostgresError.self) { try await pool.execute("SELECT 1") }
            #expect(error.kind == .poolTimeout)
            #expect(error.message.contains("no database connection became free"))
            // Well before the holder lets go: the wait ended at its own deadline.
            #expect(ContinuousClock.now - started < .seconds(10))
            _ = try await holder.value
            // Once the holder is done the pool serves again.
            try await pool.execute("SELECT 1")
        }
    }

    /// One task watches every waiter's deadline: those served in time are served, and each
    /// still waiting at its deadline is failed, not only the first. (Generous timeouts where
    /// the test waits to be served: the suites run in parallel on a busy machine.)
    @Test func waitersAreServedInTimeOrEachGivesUpAtItsDeadline() async throws {
        for (hold, timeout, served) in [(0.2, Duration.seconds(10), true), (12.0, Duration.milliseconds(300), false)] {
            try await TestDatabase.withMigratedDatabase(poolSize: 1, acquireTimeout: timeout) { pool, _ in
                let holder = await holdingTheOnlyConnection(of: pool, for: hold)
                let started = ContinuousClock.now
                let outcomes = await withTaskGroup(of: Result<Int, PostgresError>.self) { group in
                    for n in 1...3 {
                        group.addTask {
                            do { return .success(try #require(try await pool.query("SELECT \(n) AS n").single).decode("n", as: Int.self)) } catch let
                                error as PostgresError
                            { return .failure(error) } catch { return .failure(PostgresError(kind: .connection, message: "\(error)")) }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                if served {
                    #expect(outcomes.compactMap { try? $0.get() }.sorted() == [1, 2, 3])
                } else {
                    #expect(outcomes.allSatisfy { if case .failure(let error) = $0 { error.kind == .poolTimeout } else { false } })
                    // Well before the connection is given back (a loaded run once took 6.1 s).
                    #expect(ContinuousClock.now - started < .seconds(10))
                }
                _ = try await holder.value
            }
        }
    }

    @Test func aKilledBackendIsReplacedWithoutTheNextCallSeeingAnError() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 1) { pool, connectionString in
            let firstPID = try await pool.withConnection { $0.backendPID }
            let killer = try PostgresConnection(connectionString: connectionString)
            let killed = try #require(try killer.query("SELECT pg_terminate_backend(\(firstPID)) AS ok").single)
            #expect(try killed.decode("ok", as: Bool.self))
            // Wait until the server has really closed the session.
            for _ in 0..<100 {
                let alive = try killer.query("SELECT 1 FROM pg_stat_activity WHERE pid = \(Int(firstPID))")
                if alive.isEmpty { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let answer = try #require(try await pool.query("SELECT pg_backend_pid() AS pid").single)
            #expect(try answer.decode("pid", as: Int.self) != Int(firstPID))
        }
    }

    @Test func manyTasksShareAFewConnections() async throws {
        // A generous timeout: this test is about sharing, not timing, and must pass on a busy machine.
        try await TestDatabase.withMigratedDatabase(poolSize: 3, acquireTimeout: .seconds(120)) { pool, _ in
            let sum = try await withThrowingTaskGroup(of: Int.self) { group in
                for n in 1...200 {
                    group.addTask {
                        try #require(try await pool.query("SELECT \(n) + 0 AS n").single).decode("n", as: Int.self)
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(sum == 200 * 201 / 2)
            #expect(pool.usage.inUse == 0)
        }
    }

    @Test func anUnreachableServerIsAConnectionError() async throws {
        let pool = PostgresPool(configuration: .init(connectionString: "host=127.0.0.1 port=1 connect_timeout=2", maxConnections: 1))
        let error = try await #require(throws: PostgresError.self) { try await pool.execute("SELECT 1") }
        #expect(error.kind == .connection)
        await pool.close()
    }
}

/// Holds the pool's only connection for `seconds` (a `pg_sleep` on it) and returns once it
/// is really held; the task ends when the sleep does.
private func holdingTheOnlyConnection(of pool: PostgresPool, for seconds: Double) async -> Task<Void, any Error> {
    let (held, signal) = AsyncStream.makeStream(of: Void.self)
    let holder = Task {
        try await pool.withConnection { conn in
            signal.yield()
            try conn.execute("SELECT pg_sleep(\(seconds))")
        }
    }
    var heldEvents = held.makeAsyncIterator()
    _ = await heldEvents.next()
    return holder
}
