import Foundation

/// Runs the built `galley` executable, as a user or a script would.
public enum GalleyBinary {
    public struct Outcome: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public final class Running: Sendable {
        let process: Process
        let stdout: Pipe
        let stderr: Pipe

        init(process: Process, stdout: Pipe, stderr: Pipe) {
            self.process = process
            self.stdout = stdout
            self.stderr = stderr
        }

        /// Waits for the process off the cooperative pool and collects its output.
        public func finish() async throws -> Outcome {
            let process = self.process
            let stdout = self.stdout
            let stderr = self.stderr
            return await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    let out = stdout.fileHandleForReading.readDataToEndOfFile()
                    let err = stderr.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(
                        returning: Outcome(
                            status: process.terminationStatus,
                            stdout: String(decoding: out, as: UTF8.self),
                            stderr: String(decoding: err, as: UTF8.self)))
                }
            }
        }
    }

    /// `GALLEY_BIN` (set by scripts/test), else the debug build in `.build`.
    public static func url() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["GALLEY_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/galley")
    }

    public static func start(_ binary: URL, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Running {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = TestDatabase.migrationsDirectory.deletingLastPathComponent()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        return Running(process: process, stdout: stdout, stderr: stderr)
    }

    public static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> Outcome {
        try await start(try url(), arguments, environment: environment, stdin: stdin).finish()
    }
}
