/// Hexadecimal digits as UTF-8 bytes, for the text forms of UUIDs and `bytea`.
public enum HexDigit {
    /// `0`–`9`, `a`–`f`.
    public static let lowercase = Array("0123456789abcdef".utf8)

    /// The value of one hex digit (either case), nil for any other byte.
    @inlinable
    public static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}
