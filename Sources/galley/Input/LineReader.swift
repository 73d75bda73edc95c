import Foundation

/// Reads a file (or stdin) one line at a time, in constant memory.
struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` starts; bytes before it are dropped only when the
    /// next chunk is read, not once per line.
    private var start = 0
    private var finished = false
    private(set) var lineNumber = 0

    init(path: String) throws {
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CLIError("Cannot read \(path).", hint: "Check the path and that the file is readable.")
            }
            self.handle = handle
        }
    }

    /// The next line's number and text, without its newline.
    mutating func next() -> (number: Int, text: String)? {
        var searched = start
        while true {
            if let newline = buffer[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                lineNumber += 1
                return (lineNumber, line)
            }
            if finished {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                lineNumber += 1
                return (lineNumber, String(decoding: buffer[start...], as: UTF8.self))
            }
            buffer.removeSubrange(..<start)
            start = 0
            searched = buffer.count
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    /// How many lines a file has, for a progress bar's ETA; nil for stdin.
    static func count(path: String) -> Int? {
        guard path != "-", let handle = FileHandle(forReadingAtPath: path) else { return nil }
        var lines = 0
        var last: UInt8 = UInt8(ascii: "\n")
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            lines += chunk.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            last = chunk.last ?? last
        }
        return last == UInt8(ascii: "\n") ? lines : lines + 1
    }
}
