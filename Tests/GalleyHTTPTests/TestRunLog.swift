import Foundation
import Logging
import Synchronization
import Testing

@testable import GalleyHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// The record of a whole test run that `scripts/test` checks afterwards (scripts/check-test-log),
/// kept only when `GALLEY_TEST_LOG_DIR` names a folder: every test server's log as JSON lines
/// (`server.jsonl`, at trace level, each line naming its test), and every secret the tests
/// issued or sent (`secrets.txt`: tokens, passwords, session cookies, CSRF tokens, webhook
/// secrets), one a line. Without the variable, loggers are as before and nothing is kept.
enum TestRunLog {
    private static let files: (log: Int32, secrets: Int32)? = {
        guard let folder = ProcessInfo.processInfo.environment["GALLEY_TEST_LOG_DIR"], !folder.isEmpty else { return nil }
        func appending(_ name: String) -> Int32 {
            let descriptor = open(folder + "/" + name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            precondition(descriptor >= 0, "GALLEY_TEST_LOG_DIR: cannot write \(folder)/\(name): \(String(cString: strerror(errno)))")
            return descriptor
        }
        return (appending("server.jsonl"), appending("secrets.txt"))
    }()
    private static let recorded = Mutex<Set<String>>([])

    /// Whether this run is kept: a test may skip gathering secrets when not.
    static var isKept: Bool { files != nil }

    /// The logger of a test's server (or its dispatcher): into the run's log when one is kept,
    /// else `Logger(label:)` as before.
    static func logger(_ label: String = "test") -> Logger {
        guard let files else { return Logger(label: label) }
        var logger = Logger(label: label) { LogLineHandler(label: $0, descriptor: files.log, format: .json) }
        logger.logLevel = .trace
        logger[metadataKey: "test"] = "\(Test.current.map { $0.id.nameComponents.joined(separator: "/") } ?? "-")"
        return logger
    }

    /// Records a secret the tests issued or sent, which no line of the run's log may hold.
    static func secret(_ value: String?) {
        guard let files, let value, !value.isEmpty, !value.contains("\n") else { return }
        guard recorded.withLock({ $0.insert(value).inserted }) else { return }
        let line = Array((value + "\n").utf8)
        _ = line.withUnsafeBytes { write(files.secrets, $0.baseAddress, $0.count) }
    }
}
