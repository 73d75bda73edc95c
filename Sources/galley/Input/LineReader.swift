import Foundation

/// Reads a file (or stdin) one line at a time, in constant memory.
struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer = Data()
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
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                lineNumber += 1
                return (lineNumber, String(decoding: line, as: UTF8.self))
            }
            if finished {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                lineNumber += 1
                return (lineNumber, String(decoding: buffer, as: UTF8.self))
            }
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
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
