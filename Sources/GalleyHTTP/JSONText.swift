import Foundation

/// Checks on JSON text before it is decoded.
enum JSONText {
    /// Whether a string in the JSON text holds U+0000, written `\u0000` (a raw NUL byte is
    /// not valid JSON, so the decoder refuses that one itself). Backslash escapes are
    /// followed, so `"\\u0000"` (a backslash, then `u0000`) is not one.
    static func containsEscapedNUL(_ data: Data) -> Bool {
        let backslash = UInt8(ascii: "\\")
        let zero = UInt8(ascii: "0")
        let u = UInt8(ascii: "u")
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            var index = 0
            while index < bytes.count {
                guard bytes[index] == backslash else {
                    index += 1
                    continue
                }
                if index + 5 < bytes.count, bytes[index + 1] == u,
                    bytes[index + 2] == zero, bytes[index + 3] == zero, bytes[index + 4] == zero, bytes[index + 5] == zero
                {
                    return true
                }
                index += 2
            }
            return false
        }
    }
}
