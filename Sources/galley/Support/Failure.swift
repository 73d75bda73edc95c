import ArgumentParser
import Foundation
import Galley
import GalleyCore
import Postgres

/// The documented exit statuses of `galley` (docs/cli.md).
enum ExitStatus: Int32 {
    case ok = 0
    /// Some items of a batch failed, or something unexpected went wrong.
    case failed = 1
    case usage = 2
    case forbidden = 3
    case notFound = 4
    /// A conflict, or a transition the workflow refuses.
    case refused = 5
    case unavailable = 6
}

/// An error of the CLI itself: one sentence, an optional hint, an exit status.
struct CLIError: Error {
    let message: String
    let hint: String?
    let status: ExitStatus

    init(_ message: String, hint: String? = nil, status: ExitStatus = .usage) {
        self.message = message
        self.hint = hint
        self.status = status
    }
}

/// The one place where errors become a message on stderr and an exit status.
enum Failure {
    /// Writes `error` to stderr and returns the status to exit with.
    static func report(_ error: any Error) -> Int32 {
        if let exit = error as? ExitCode { return exit.rawValue }
        if let (status, message, hint) = describe(error) {
            Output.error(message, hint: hint)
            return status.rawValue
        }
        // ArgumentParser's own errors: help and completion scripts go to stdout, usage errors to stderr.
        let code = GalleyCommand.exitCode(for: error)
        let message = GalleyCommand.fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { Output.line(message) }
            return 0
        }
        if code == .validationFailure {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            return ExitStatus.usage.rawValue
        }
        Output.error(message.isEmpty ? String(describing: error) : message, hint: nil)
        return ExitStatus.failed.rawValue
    }

    static func describe(_ error: any Error) -> (ExitStatus, String, String?)? {
        switch error {
        case let error as CLIError:
            return (error.status, error.message, error.hint)
        case let error as GalleyError:
            return (status(of: error), error.message, hint(for: error))
        case let error as PostgresError where error.kind != .server && error.kind != .decoding:
            return (
                .unavailable, "The database is unavailable (\(error.message)).",
                "Check that PostgreSQL is running and that DATABASE_URL (or PGHOST, PGPORT, PGUSER, PGDATABASE) points at it."
            )
        case let error as PostgresError:
            return (.failed, "The database refused the request: \(error.message).", "Run `galley migrate --status` to check the schema is current.")
        case let error as ConfigurationError:
            return (.usage, "\(error.description).", "Fix the environment variable and run the command again.")
        case let error as MigrationError:
            return (.failed, "\(error).", nil)
        default:
            return nil
        }
    }

    static func status(of error: GalleyError) -> ExitStatus {
        switch error {
        case .notFound: .notFound
        case .unauthenticated, .forbidden: .forbidden
        case .invalidTransition, .conflict, .preconditionFailed: .refused
        case .validation, .tooLargeToDiff: .usage
        case .unavailable, .busy: .unavailable
        }
    }

    /// A short machine-readable name of the error, for JSON results.
    static func kind(of error: GalleyError) -> String {
        switch error {
        case .notFound: "not_found"
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .invalidTransition: "invalid_transition"
        case .conflict: "conflict"
        case .preconditionFailed: "precondition_failed"
        case .validation: "validation"
        case .tooLargeToDiff: "too_large_to_diff"
        case .unavailable: "unavailable"
        case .busy: "busy"
        }
    }

    static func hint(for error: GalleyError) -> String? {
        switch error {
        case .notFound(let kind, _) where kind == "actor":
            "`galley actors list` shows the actors that exist."
        case .notFound(let kind, _) where kind == "generation":
            "`galley generations list` shows generation ids."
        case .notFound(let kind, _) where kind == "live session":
            "`galley sessions list` shows the live desk sessions."
        case .notFound:
            "`galley articles list` shows article ids."
        case .unauthenticated, .forbidden:
            "Act as an actor whose roles allow it (--actor NAME or GALLEY_ACTOR); `galley actors list` shows everyone's roles."
        case .invalidTransition:
            "`galley articles show ID` shows the article's state and checkpoints."
        case .conflict, .preconditionFailed:
            "Look at the article again with `galley articles show ID` and retry."
        case .validation:
            "Correct the input and run the command again; `--help` describes every option."
        case .tooLargeToDiff, .unavailable, .busy:
            nil
        }
    }
}
