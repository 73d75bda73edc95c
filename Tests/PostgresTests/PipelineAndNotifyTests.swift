import Foundation
import Logging
import Postgres
import TestSupport
import Testing

@Suite struct PipelineAndNotifyTests {
    @Test func aPipelineRunsManyStatementsInOrder() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.execute("CREATE TABLE items (n int PRIMARY KEY, label text)")
            let statements: [SQL] = (1...5_000).map { "INSERT INTO items VALUES (\($0), \("item \($0)")) RETURNING n" }
            let results = try await pool.withConnection { try $0.pipeline(statements) }
            #expect(results.count == 5_000)
            #expect(try results[4_999][0].decode("n", as: Int.self) == 5_000)
            let count = try #require(try await pool.query("SELECT count(*) AS c FROM items").single)
            #expect(try count.decode("c", as: Int.self) == 5_000)
        }
    }

    @Test func aFailingStatementUndoesTheWholePipeline() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.execute("CREATE TABLE items (n int PRIMARY KEY)")
            let statements: [SQL] = ["INSERT INTO items VALUES (1)", "INSERT INTO items VALUES (1)", "INSERT INTO items VALUES (2)"]
            let error = try await #require(throws: PostgresError.self) {
                try await pool.withConnection { try $0.pipeline(statements) }
            }
            #expect(error.isUniqueViolation)
            #expect(try await pool.query("SELECT * FROM items").isEmpty)
            // The connection is usable afterwards.
            try await pool.execute("INSERT INTO items VALUES (3)")
        }
    }

    @Test func aTransactionCommitsInItsLastPipelineOrNotAtAll() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.execute("CREATE TABLE items (n int PRIMARY KEY)")
            let (rows, status) = try await pool.transaction { conn in
                try conn.execute("INSERT INTO items VALUES (1)")
                let rows = try conn.pipelineCommitting(["INSERT INTO items VALUES (2)", "SELECT count(*) AS c FROM items"])
                return (rows, conn.transactionStatus)
            }
            // Committed in that round trip: the session is out of its transaction already.
            #expect(status == .idle)
            #expect(rows.count == 2)
            #expect(try rows[1][0].decode("c", as: Int.self) == 2)
            // A failing statement skips the COMMIT: the statement before the pipeline is undone too.
            let error = try await #require(throws: PostgresError.self) {
                try await pool.transaction { conn in
                    try conn.execute("INSERT INTO items VALUES (3)")
                    _ = try conn.pipelineCommitting(["INSERT INTO items VALUES (4)", "INSERT INTO items VALUES (1)"])
                }
            }
            #expect(error.isUniqueViolation)
            #expect(try await pool.query("SELECT n FROM items ORDER BY n").map { try $0.decode("n", as: Int.self) } == [1, 2])
            // The connection is usable afterwards, outside a transaction as well.
            #expect(try await pool.withConnection { try $0.pipelineCommitting(["INSERT INTO items VALUES (5)"]) }.count == 1)
        }
    }

    /// A statement fails while later ones, too large for the socket's buffer, are still
    /// being sent: libpq answers those itself, and the pipeline must not wait for more.
    @Test func aFailureWhileStillSendingEndsThePipeline() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.execute("CREATE TABLE items (n int PRIMARY KEY, label text)")
            let large = String(repeating: "large ", count: 1_000_000)
            let statements: [SQL] = [
                "INSERT INTO items VALUES (1, 'a')", "INSERT INTO items VALUES (1, 'b')",
                "INSERT INTO items VALUES (2, \(large))", "INSERT INTO items VALUES (3, \(large))",
            ]
            let error = try await #require(throws: PostgresError.self) {
                try await pool.withConnection { try $0.pipeline(statements) }
            }
            #expect(error.isUniqueViolation)
            #expect(try await pool.query("SELECT * FROM items").isEmpty)
            let results = try await pool.withConnection { try $0.pipeline(Array(statements[2...]) + ["SELECT count(*) AS c FROM items"]) }
            #expect(try results[2][0].decode("c", as: Int.self) == 2)
        }
    }

    @Test func listenersReceiveNotificationsAfterCommit() async throws {
        try await TestDatabase.withMigratedDatabase { pool, connectionString in
            let listener = PostgresListener(connectionString: connectionString, channels: ["article_events"], logger: Logger(label: "test"))
            var events = listener.events().makeAsyncIterator()
            guard case .listening = await events.next() else {
                Issue.record("expected the listener to report that it listens")
                return
            }
            try await pool.transaction { conn in
                try conn.notify(channel: "article_events", payload: "published 42 — Zoë")
            }
            let event = await events.next()
            listener.stop()
            guard case .notification(let channel, let payload) = event else {
                Issue.record("expected a notification, got \(String(describing: event))")
                return
            }
            #expect(channel == "article_events")
            #expect(payload == "published 42 — Zoë")
        }
    }
}
