import Foundation
import GalleyCore

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// A new password, read so it never shows on a command line, in `ps` or in the shell's
/// history: from stdin when it is piped (its first line), else typed twice at a prompt
/// without echo.
enum PasswordInput {
    static func newPassword(for name: String) throws -> String {
        if isatty(STDIN_FILENO) == 0 { return firstLine() }
        let first = try prompt("New desk password for \(name): ")
        let second = try prompt("The same again: ")
        guard first == second else {
            throw CLIError("The two passwords differ; nothing was changed.", hint: "Run the command again and type the same password twice.")
        }
        return first
    }

    /// The first line of stdin, without its line ending; at most a byte more than a password
    /// may have, so a longer one is refused as too long rather than read whole.
    static func firstLine() -> String {
        let limit = PasswordHash.maximumBytes + 1
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: limit)
        while bytes.count < limit {
            let count = read(STDIN_FILENO, &chunk, limit - bytes.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            let part = chunk[..<count]
            if let newline = part.firstIndex(of: UInt8(ascii: "\n")) {
                bytes.append(contentsOf: part[..<newline])
                break
            }
            bytes.append(contentsOf: part)
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One line typed at the terminal with echo off, restored afterwards.
    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else {
            throw CLIError("Cannot switch the terminal's echo off to read a password.", hint: "Pipe the password in on stdin instead.")
        }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        let line = readLine(strippingNewline: true)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
        FileHandle.standardError.write(Data("\n".utf8))
        guard let line else { throw CLIError("No password was typed; nothing was changed.") }
        return line
    }
}
