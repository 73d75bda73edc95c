import Foundation

/// PostgreSQL's timestamp text (`2026-11-25 21:42:17.123456+00`, or the ISO 8601 form jsonb
/// uses, `2026-11-25T21:42:17.123456+00:00`), for values that arrive inside JSON or text. Times
/// are written with GalleyCore's `RFC3339.format`.
public enum PostgresTimestamp {
    public static func parse(_ text: String) -> Date? {
        var copy = text
        return copy.withUTF8 { TimestampFormat.parse($0) }
    }
}
