import Postgres
import TestSupport
import Testing

/// Every statement is prepared once per session (`PreparedStatements`); these are the ways
/// that could go wrong for a user of the client.
@Suite struct PreparedStatementTests {
    /// More distinct statements than the session's cache holds: the cache starts over and
    /// every statement still answers, the first ones included.
    @Test func moreStatementsThanTheCacheHoldsStillAnswer() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let sums = try await pool.withConnection { conn in
                try (0..<600).map { index -> Int in
                    // A different text each time (a trusted constant): a different prepared statement.
                    let statement: SQL = "SELECT \(Int32(1))::int + " + SQL(stringLiteral: String(index)) + " AS sum"
                    return try conn.query(statement).single!.decode("sum", as: Int.self)
                }
            }
            #expect(sums == (0..<600).map { $0 + 1 })
            let again = try await pool.withConnection { conn in
                try conn.query("SELECT \(Int32(1))::int + " + SQL(stringLiteral: "0") + " AS sum").single!.decode("sum", as: Int.self)
            }
            #expect(again == 1)
        }
    }

    /// A statement that cannot be prepared fails with the server's error, inside and outside
    /// a pipeline, and the session goes on working.
    @Test func aStatementThatCannotBePreparedFailsCleanly() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let error = await #expect(throws: PostgresError.self) {
                _ = try await pool.withConnection { conn in try conn.query("SELEC \(Int32(1))") }
            }
            #expect(error?.sqlState == "42601")
            let piped = await #expect(throws: PostgresError.self) {
                _ = try await pool.withConnection { conn in
                    try conn.pipeline(["SELECT \(Int32(1)) AS one", "SELECT * FROM no_such_table", "SELECT \(Int32(2)) AS two"])
                }
            }
            #expect(piped?.sqlState == "42P01")
            let one = try await pool.withConnection { conn in
                try conn.pipeline(["SELECT \(Int32(1)) AS one", "SELECT \(Int32(2)) AS two"]).map { try $0.single!.decode(at: 0, as: Int.self) }
            }
            #expect(one == [1, 2])
            #expect(try await pool.query("SELECT \(Int32(3)) AS three").single?.decode("three", as: Int.self) == 3)
        }
    }
}
