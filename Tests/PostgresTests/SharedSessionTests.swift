import Dispatch
import Postgres
import TestSupport
import Testing

/// Quick reads share one pipelined session (`PostgresPool.quickRead`). Each test holds the
/// pool's only leased session, so a quick read can only be answered on the shared one: were
/// it sent on the pool's, it would wait for the lease and time out.
@Suite struct SharedSessionTests {
    @Test func concurrentQuickReadsEachGetTheirOwnAnswer() async throws {
        try await withOnlyTheSharedSession { pool in
            let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for n in 1...300 {
                    group.addTask { (n, try #require(try await pool.quickRead("SELECT \(n) * 2 AS double").single).decode("double", as: Int.self)) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(answers.count == 300)
            #expect(answers.allSatisfy { $0.value == $0.key * 2 })
        }
    }

    /// Statements larger than the socket's buffer are sent in parts, the rest when the socket
    /// is writable again, while answers to those before them arrive.
    @Test(.timeLimit(.minutes(1))) func largeQuickReadsAmongSmallOnesAllGetTheirAnswers() async throws {
        try await withOnlyTheSharedSession { pool in
            let lengths = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for n in 1...40 {
                    let text = String(repeating: "x", count: n % 2 == 0 ? 512 * 1024 + n : n)
                    group.addTask {
                        (text.count, try #require(try await pool.quickRead("SELECT length(\(text)) AS length").single).decode("length", as: Int.self))
                    }
                }
                return try await group.reduce(into: [(Int, Int)]()) { $0.append($1) }
            }
            #expect(lengths.count == 40)
            #expect(lengths.allSatisfy { $0.0 == $0.1 })
        }
    }

    @Test func aFailingQuickReadFailsAloneAmongOthers() async throws {
        try await withOnlyTheSharedSession { pool in
            let outcomes = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for n in 1...100 {
                    group.addTask {
                        // Every tenth divides by zero; the others' statements are queued around it.
                        let divisor = n % 10 == 0 ? 0 : 1
                        do {
                            return (
                                n, .success(try #require(try await pool.quickRead("SELECT \(n) / \(divisor) AS n").single).decode("n", as: Int.self))
                            )
                        } catch {
                            return (n, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for (n, outcome) in outcomes {
                if n % 10 == 0 {
                    #expect(throws: PostgresError.self) { try outcome.get() }
                    #expect((try? outcome.get()) == nil)
                } else {
                    #expect(try outcome.get() == n)
                }
            }
            // A statement the server cannot prepare fails as itself every time, and the session serves on.
            for _ in 0..<2 {
                let error = try await #require(throws: PostgresError.self) { try await pool.quickRead("SELECT FROM WHERE") }
                #expect(error.kind == .server)
                #expect(error.sqlState == "42601")
            }
            #expect(try await pool.quickRead("SELECT 7 AS n").single?.decode("n", as: Int.self) == 7)
        }
    }

    @Test func aKilledSharedSessionIsReplacedWithoutTheNextReadSeeingAnError() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 1, acquireTimeout: .milliseconds(300)) { pool, connectionString in
            let first = try await holdingTheLease(of: pool) { try await sharedBackend(of: pool) }
            let killer = try PostgresConnection(connectionString: connectionString)
            _ = try killer.query("SELECT pg_terminate_backend(\(Int32(first)))")
            for _ in 0..<100 {
                if try killer.query("SELECT 1 FROM pg_stat_activity WHERE pid = \(first)").isEmpty { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            // Found closed before use: the read goes to the pool's session meanwhile.
            #expect(try await pool.quickRead("SELECT 1 AS one").single?.decode("one", as: Int.self) == 1)
            let second = try await holdingTheLease(of: pool) { try await sharedBackend(of: pool) }
            #expect(second != first)
        }
    }

    @Test func closingThePoolFailsTheQuickReadsItIsAnswering() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 1, acquireTimeout: .milliseconds(300)) { pool, _ in
            _ = try await holdingTheLease(of: pool) { try await sharedBackend(of: pool) }
            let slow = Task { try await pool.quickRead("SELECT pg_sleep(20)") }
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            await pool.close()
            let error = try await #require(throws: PostgresError.self) { try await slow.value }
            #expect(error.kind == .poolClosed)
            // Long before the statement would have ended.
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func aQuickReadWhileTheDatabaseIsUnreachableIsAConnectionError() async throws {
        let pool = PostgresPool(
            configuration: .init(connectionString: "host=127.0.0.1 port=1 connect_timeout=2", maxConnections: 1, sharedSessions: 1))
        for _ in 0..<2 {
            let error = try await #require(throws: PostgresError.self) { try await pool.quickRead("SELECT 1") }
            #expect(error.kind == .connection)
        }
        await pool.close()
    }
}

/// Runs `body` on a pool of one session whose lease another task holds throughout, once
/// the shared session has opened.
private func withOnlyTheSharedSession(_ body: (PostgresPool) async throws -> Void) async throws {
    try await TestDatabase.withMigratedDatabase(poolSize: 1, acquireTimeout: .milliseconds(300)) { pool, _ in
        try await holdingTheLease(of: pool) {
            _ = try await sharedBackend(of: pool)
            try await body(pool)
        }
    }
}

/// The shared session's backend, once it has opened (its first reads start the opening and
/// wait for the lease meanwhile, which the caller holds: they time out).
private func sharedBackend(of pool: PostgresPool) async throws -> Int {
    for _ in 0..<50 {
        if let pid = try? await pool.quickRead("SELECT pg_backend_pid() AS pid").single?.decode("pid", as: Int.self) { return pid }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw PostgresError(kind: .connection, message: "the shared session did not open")
}

/// Runs `body` while another task holds the pool's only lease.
private func holdingTheLease<Result>(of pool: PostgresPool, _ body: () async throws -> Result) async throws -> Result {
    let release = DispatchSemaphore(value: 0)
    let (held, signal) = AsyncStream.makeStream(of: Void.self)
    let holder = Task {
        try await pool.withConnection { _ in
            signal.yield()
            release.wait()  // on the lease's own thread, where blocking is allowed
        }
    }
    var events = held.makeAsyncIterator()
    _ = await events.next()
    defer { release.signal() }
    let result = try await body()
    release.signal()
    _ = try await holder.value
    return result
}
