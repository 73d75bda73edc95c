import Foundation
import GalleyCore
import Postgres
import TestSupport
import Testing

@Suite struct TypeRoundTripTests {
    /// libpq takes parameters as NUL-terminated strings: a text holding U+0000 would arrive
    /// cut short, silently. Every way of sending refuses it instead, and the session goes on.
    @Test func textHoldingNULIsRefusedNotCut() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 1) { pool, _ in
            let text = "before\u{0}after"
            func expectRefused(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
                do {
                    try await body()
                    Issue.record("sent a parameter holding NUL", sourceLocation: sourceLocation)
                } catch let error as PostgresError {
                    #expect(error.kind == .unsendableParameter, "\(error)", sourceLocation: sourceLocation)
                } catch {
                    Issue.record("\(error)", sourceLocation: sourceLocation)
                }
            }
            await expectRefused { _ = try await pool.query("SELECT \(text) AS t") }
            await expectRefused { _ = try await pool.withConnection { conn in try conn.query("SELECT \(text) AS t") } }
            await expectRefused {
                _ = try await pool.transaction { conn in try conn.pipeline(["SELECT 1", "SELECT \(text) AS t"]) }
            }
            let after = try await pool.withConnection { conn in try conn.query("SELECT \("still fine") AS t").single?.decode("t", as: String.self) }
            #expect(after == "still fine")
            #expect(try await pool.query("SELECT \(1) AS n").single?.decode("n", as: Int.self) == 1)
        }
    }

    @Test func valuesComeBackAsTheyWereSent() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let id = UUID()
            let moment = Date(timeIntervalSince1970: 1_764_106_937.123456)
            let bytes = Data((0...255).map { UInt8($0) })
            let tags = ["politics", "a \"quoted\" tag", "back\\slash", "comma, inside", "", "NULL", "Zoë 日本 🗞️"]
            let text = "Zoë’s „Analyse“ — 日本語 🗞️"
            let row = try #require(
                try await pool.query(
                    """
                    SELECT \(text) AS text, \(42) AS int, \(Int64.min) AS big, \(Int32(-7)) AS int4, \(Int16(12)) AS int2,
                           \(true) AS yes, \(false) AS no, \(3.25) AS double, \(id) AS id, \(moment) AS at,
                           \(CalendarDate(year: 2026, month: 2, day: 28)) AS day, \(bytes) AS bytes, \(tags) AS tags,
                           \(JSONB(["title": "Zoë", "n": "1"])) AS doc
                    """
                ).single)
            #expect(try row.decode("text", as: String.self) == text)
            #expect(try row.decode("int", as: Int.self) == 42)
            #expect(try row.decode("big", as: Int64.self) == Int64.min)
            #expect(try row.decode("int4", as: Int32.self) == -7)
            #expect(try row.decode("int2", as: Int16.self) == 12)
            #expect(try row.decode("yes", as: Bool.self) == true)
            #expect(try row.decode("no", as: Bool.self) == false)
            #expect(try row.decode("double", as: Double.self) == 3.25)
            #expect(try row.decode("id", as: UUID.self) == id)
            let at = try row.decode("at", as: Date.self)
            #expect(abs(at.timeIntervalSince1970 - moment.timeIntervalSince1970) < 0.000_001)
            #expect(try row.decode("day", as: CalendarDate.self) == CalendarDate(year: 2026, month: 2, day: 28))
            #expect(try row.decode("bytes", as: Data.self) == bytes)
            #expect(try row.decode("tags", as: [String].self) == tags)
            #expect(try row.decode("doc", as: JSONB<[String: String]>.self).value == ["title": "Zoë", "n": "1"])

            // UUIDs and text arrays are read and written on bytes, not through Foundation.
            let more = try #require(
                try await pool.query(
                    """
                    SELECT \(id)::text AS id_text, '{}'::text[] AS none, ARRAY['one']::text[] AS one,
                           ARRAY['a', NULL]::text[] AS with_null, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS upper
                    """
                ).single)
            #expect(try more.decode("id_text", as: String.self) == id.uuidString.lowercased())
            #expect(id.lowercasedString == id.uuidString.lowercased())
            #expect(try more.decode("none", as: [String].self) == [])
            #expect(try more.decode("one", as: [String].self) == ["one"])
            #expect(throws: PostgresError.self) { try more.decode("with_null", as: [String].self) }
            #expect(try more.decode("upper", as: UUID.self) == UUID(uuidString: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
        }
    }

    @Test func nullDecodesAsNilAndIsRefusedForNonOptionals() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let missing: String? = nil
            let row = try #require(try await pool.query("SELECT \(missing) AS nothing, \(Optional(5)) AS five").single)
            #expect(try row.decode("nothing", as: String?.self) == nil)
            #expect(try row.decode("five", as: Int?.self) == 5)
            let error = try #require(throws: PostgresError.self) { try row.decode("nothing", as: String.self) }
            #expect(error.kind == .decoding)
            #expect(error.message.contains("\"nothing\""))
        }
    }

    @Test func decodingErrorNamesTheColumnAndBothTypes() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let row = try #require(try await pool.query("SELECT 12::bigint AS count").single)
            let error = try #require(throws: PostgresError.self) { try row.decode("count", as: String.self) }
            #expect(error.message == "column \"count\": cannot decode PostgreSQL type bigint as Swift type String")
        }
    }

    @Test func timestampsBeforeTheEpochAndAtMicrosecondPrecision() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let row = try #require(
                try await pool.query(
                    "SELECT '1969-07-20 20:17:40.5+00'::timestamptz AS landing, '2026-11-25 23:59:59.999999+02'::timestamptz AS late"
                ).single)
            #expect(try row.decode("landing", as: Date.self) == Date(timeIntervalSince1970: -14_182_939.5))
            let late = try row.decode("late", as: Date.self).timeIntervalSince1970
            #expect(abs(late - 1_795_643_999.999_999) < 0.000_001)
            // The wire form (RFC 3339, UTC, microseconds), before the epoch too.
            #expect(RFC3339.format(Date(timeIntervalSince1970: -14_182_939.5)) == "1969-07-20T20:17:40.500000Z")
            #expect(RFC3339.format(Date(timeIntervalSince1970: 1_764_106_937.123456)) == "2025-11-25T21:42:17.123456Z")
            #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000000Z")
        }
    }

    @Test func serverErrorsCarrySQLStateAndConstraint() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.execute("CREATE TABLE things (id int PRIMARY KEY, size int CHECK (size > 0))")
            try await pool.execute("INSERT INTO things VALUES (\(1), \(1))")
            let duplicate = try await #require(throws: PostgresError.self) {
                try await pool.execute("INSERT INTO things VALUES (\(1), \(1))")
            }
            #expect(duplicate.isUniqueViolation)
            #expect(duplicate.constraint == "things_pkey")
            #expect(duplicate.detail?.contains("(id)=(1)") == true)
            let negative = try await #require(throws: PostgresError.self) {
                try await pool.execute("INSERT INTO things VALUES (\(2), \(-1))")
            }
            #expect(negative.isCheckViolation)
            #expect(negative.constraint == "things_size_check")
        }
    }

    /// A result in binary decodes to the same values as its text, prepared or not, through
    /// `query` and a pipeline; times to the same `Date` and the exact microseconds, before
    /// 1970 too.
    @Test func binaryResultsDecodeAsTheirText() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 1) { pool, _ in
            let sql: SQL = """
                SELECT 'Zoë 🗞️'::text AS text, \(Int.max) AS int, \(Int64.min) AS big, \(Int32(-7)) AS int4, \(Int16(12)) AS int2,
                       true AS yes, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id, '{"b": [1, "x"], "a": null}'::jsonb AS doc,
                       '2026-11-25 21:42:17.123456+00'::timestamptz AS at, '1969-12-31 23:59:59.5+00'::timestamptz AS before,
                       NULL::bigint AS none
                """
            let (text, binary, again, piped) = try await pool.withConnection { conn in
                (try conn.query(sql), try conn.query(sql.inBinary()), try conn.query(sql.inBinary()), try conn.pipeline([sql.inBinary()])[0])
            }
            #expect(!text.binary && binary.binary && again.binary && piped.binary)
            for rows in [binary, again, piped] {
                let row = try #require(rows.single)
                let expected = try #require(text.single)
                #expect(try row.decode("text", as: String.self) == expected.decode("text", as: String.self))
                #expect(try row.decode("int", as: Int.self) == Int.max)
                #expect(try row.decode("big", as: Int64.self) == Int64.min)
                #expect(try row.decode("int4", as: Int32.self) == -7)
                #expect(try row.decode("int4", as: Int.self) == -7)
                #expect(try row.decode("int2", as: Int16.self) == 12)
                #expect(try row.decode("yes", as: Bool.self) == true)
                #expect(try row.decode("id", as: UUID.self) == expected.decode("id", as: UUID.self))
                #expect(try row.decode("doc", as: String.self) == expected.decode("doc", as: String.self))
                #expect(try row.decode("at", as: Date.self) == expected.decode("at", as: Date.self))
                #expect(try row.decode("before", as: Date.self) == expected.decode("before", as: Date.self))
                #expect(try row.decode("none", as: Int?.self) == nil)
                #expect(try rows.integer(row: 0, column: 1) == Int.max)
                #expect(try rows.integer(row: 0, column: 10) == nil)
                #expect(try rows.microsecondsSince1970(row: 0, column: 8) == 1_795_642_937_123_456)
                #expect(try rows.microsecondsSince1970(row: 0, column: 9) == -500_000)
            }
            #expect(throws: PostgresError.self) { try text.integer(row: 0, column: 1) }
        }
    }
}
