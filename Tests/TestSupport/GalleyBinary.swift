import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `galley` executable, as a user or a script would. Children are started with
/// `posix_spawn` and reaped with `waitpid`, not Foundation's `Process`: on Linux its monitoring
/// through a Dispatch source crashes the test process now and then (signal 11 in
/// `_dispatch_event_loop_drain`) when many tests start processes at once.
public enum GalleyBinary {
    public struct Outcome: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public final class Running: Sendable {
        let pid: pid_t
        let stdout: Int32
        let stderr: Int32

        init(pid: pid_t, stdout: Int32, stderr: Int32) {
            self.pid = pid
            self.stdout = stdout
            self.stderr = stderr
        }

        /// Waits for the process off the cooperative pool and collects its output.
        public func finish() async throws -> Outcome {
            let (pid, stdout, stderr) = (self.pid, self.stdout, self.stderr)
            return await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    // Both pipes are drained at once, so a child that fills one while the
                    // other is read cannot stall.
                    let group = DispatchGroup()
                    nonisolated(unsafe) var err = Data()
                    DispatchQueue.global().async(group: group) { err = GalleyBinary.readAll(stderr) }
                    let out = GalleyBinary.readAll(stdout)
                    group.wait()
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                    // The exit code, or 128 + the signal as a shell reports it.
                    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                    continuation.resume(
                        returning: Outcome(status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self)))
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

    /// One child at a time is started, so that no child inherits another's pipes between
    /// their creation and their close-on-exec flag.
    private static let spawning = Mutex(())

    public static func start(_ binary: URL, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Running {
        let directory = TestDatabase.migrationsDirectory.deletingLastPathComponent().path
        let environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        // The shell changes to the repository's folder, then becomes the program.
        let argv = ["/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", directory, binary.path] + arguments
        _ = ignoringBrokenPipes
        let (pid, input, output, errors) = try spawning.withLock { _ in
            let input = try pipe()
            let output = try pipe()
            let errors = try pipe()
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, input.read, 0)
            posix_spawn_file_actions_adddup2(&actions, output.write, 1)
            posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
            let pid = try withCStrings(argv) { argv in
                try withCStrings(environment) { envp in
                    var pid: pid_t = 0
                    let result = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
                    guard result == 0 else { throw SpawnError(message: "posix_spawn failed: \(String(cString: strerror(result)))") }
                    return pid
                }
            }
            close(input.read)
            close(output.write)
            close(errors.write)
            return (pid, input.write, output.read, errors.read)
        }
        if let stdin { writeAll(Array(stdin.utf8), to: input) }
        close(input)
        return Running(pid: pid, stdout: output, stderr: errors)
    }

    public static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> Outcome {
        try await start(try url(), arguments, environment: environment, stdin: stdin).finish()
    }

    struct SpawnError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw SpawnError(message: "pipe failed: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// A child that exits before reading all its input must not take the test process with it.
    private static let ignoringBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Writes `bytes` to `fd`, stopping early if the child stops reading.
    private static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count > 0 { offset += count } else if count < 0 && errno == EINTR { continue } else { return }
        }
    }

    /// Everything `fd` yields until its end; closes it.
    static func readAll(_ fd: Int32) -> Data {
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                return data
            }
        }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) throws -> R) throws -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return try body(pointers)
    }
}
