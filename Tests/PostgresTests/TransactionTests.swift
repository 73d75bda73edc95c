import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite struct TransactionTests {
    struct Boom: Error {}

    @Test func commitsOnReturnAndRollsBackOnThrow() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.execute("CREATE TABLE notes (body text NOT NULL)")
            _ = try await pool.transaction { conn in
                try conn.execute("INSERT INTO notes VALUES (\("kept"))")
            }
            await #expect(throws: Boom.self) {
                try await pool.transaction { conn in
                    try conn.execute("INSERT INTO notes VALUES (\("lost"))")
                    throw Boom()
                }
            }
            let bodies = try await pool.query("SELECT body FROM notes ORDER BY body").map { try $0.decode("body", as: String.self) }
            #expect(bodies == ["kept"])
        }
    }

    @Test func aSavepointUndoesItsPartAndKeepsTheRest() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.execute("CREATE TABLE notes (body text NOT NULL)")
            let part = Savepoint("part")
            _ = try await pool.transaction { conn in
                try conn.execute("INSERT INTO notes VALUES (\("before"))")
                try part.set(conn)
                #expect(throws: PostgresError.self) { try conn.execute("INSERT INTO notes VALUES (NULL)") }
                try part.rollBack(conn)
                try part.release(conn)
                _ = try conn.pipeline([part.setting, "INSERT INTO notes VALUES (\("piped"))", part.releasing])
                try part.set(conn)
                try conn.execute("INSERT INTO notes VALUES (\("undone"))")
                try part.rollBackAndRelease(conn)
                try conn.execute("INSERT INTO notes VALUES (\("after"))")
            }
            let bodies = try await pool.query("SELECT body FROM notes ORDER BY body").map { try $0.decode("body", as: String.self) }
            #expect(bodies == ["after", "before", "piped"])
        }
    }

    @Test func aSwallowedStatementErrorStillFailsTheTransaction() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.execute("CREATE TABLE notes (body text NOT NULL)")
            await #expect(throws: PostgresError.self) {
                try await pool.transaction { conn in
                    try conn.execute("INSERT INTO notes VALUES (\("first"))")
                    _ = try? conn.execute("INSERT INTO notes VALUES (NULL)")
                }
            }
            #expect(try await pool.query("SELECT * FROM notes").isEmpty)
        }
    }

    @Test func aSerializationFailureRunsTheTransactionAgain() async throws {
        try await TestDatabase.withMigratedDatabase { pool, connectionString in
            try await pool.execute("CREATE TABLE counters (id int PRIMARY KEY, value int NOT NULL)")
            try await pool.execute("INSERT INTO counters VALUES (1, 0)")
            let attempts = Atomic<Int>(0)
            let final = try await pool.transaction(isolation: .serializable) { conn in
                let attempt = attempts.add(1, ordering: .relaxed).newValue
                let value = try #require(try conn.query("SELECT value FROM counters WHERE id = 1").single).decode("value", as: Int.self)
                if attempt == 1 {
                    // Another session commits a change to the row we have read...
                    let other = try PostgresConnection(connectionString: connectionString)
                    try other.execute("UPDATE counters SET value = value + 100 WHERE id = 1")
                }
                // ...so this write fails with 40001 on the first attempt only.
                try conn.execute("UPDATE counters SET value = \(value + 1) WHERE id = 1")
                return value + 1
            }
            #expect(attempts.load(ordering: .relaxed) == 2)
            #expect(final == 101)
        }
    }

    @Test func retriesStopAtTheBound() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let attempts = Atomic<Int>(0)
            let error = try await #require(throws: PostgresError.self) {
                try await pool.transaction(maxAttempts: 3) { conn in
                    attempts.add(1, ordering: .relaxed)
                    try conn.execute("DO $$ BEGIN RAISE EXCEPTION 'provoked' USING ERRCODE = '40001'; END $$")
                }
            }
            #expect(error.sqlState == SQLState.serializationFailure)
            #expect(attempts.load(ordering: .relaxed) == 3)
        }
    }
}
