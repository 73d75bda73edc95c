import Foundation
import GalleyCore
import Postgres
import Testing

/// Times a client sends are read one way, range-checked, and can never trap a conversion.
@Suite struct TimeBoundsTests {
    @Test func rfc3339TimesInTheYears0001To9999AreRead() throws {
        #expect(RFC3339.parse("2026-12-01T09:00:00Z") == Date(timeIntervalSince1970: 1_796_115_600))
        #expect(RFC3339.parse("2026-12-01T11:00:00+02:00") == Date(timeIntervalSince1970: 1_796_115_600))
        #expect(RFC3339.parse("2026-12-01t09:00:00.5z") == Date(timeIntervalSince1970: 1_796_115_600.5))
        #expect(RFC3339.parse("0001-01-01T00:00:00Z") == RFC3339.earliest)
        #expect(RFC3339.parse("9999-12-31T23:59:59Z") == RFC3339.latest)
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
    }

    @Test func timesOutOfRangeOrMalformedAreRefused() {
        for text in [
            "9999999-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "0000-12-31T23:00:00Z", "-0001-01-01T00:00:00Z",
            "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
            "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T09:60:00Z",
            "2026-12-01T09:00:61Z", "2026-12-01T09:00:00+24:00", "2026-12-01T09:00:00", "2026-12-01 09:00:00Z",
            "2026-12-01T09:00:00.Z", "2026-12-01T09:00:00.1234567890Z", "2026-12-01", "", "now", "1e308",
            "2026-12-01T09:00:00Z ", "２０２６-12-01T09:00:00Z",
        ] {
            #expect(RFC3339.parse(text) == nil, "\(text)")
        }
    }

    /// Before: `Int(seconds * 1e6)` trapped ("Double value cannot be converted to Int because
    /// the result would be greater than Int.max") and took the whole server down.
    @Test func formattingATimeBeyondPostgreSQLsRangeDoesNotTrap() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 315_537_897_600_000)) == "infinity")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1e300)) == "infinity")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1e300)) == "-infinity")
        #expect(RFC3339.format(Date(timeIntervalSince1970: .nan)) == "infinity")
        #expect(RFC3339.format(RFC3339.latest) == "9999-12-31T23:59:59.000000Z")
        #expect(RFC3339.format(RFC3339.earliest) == "0001-01-01T00:00:00.000000Z")
    }

    @Test func timestampTextWithImpossibleFieldsIsNotRead() {
        #expect(PostgresTimestamp.parse("2026-13-45 99:99:99+00") == nil)
        #expect(PostgresTimestamp.parse("2026-11-25 21:42:17.123456+00") != nil)
    }
}
