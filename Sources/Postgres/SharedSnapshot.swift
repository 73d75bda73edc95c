import Dispatch
import Foundation
import Synchronization

extension PostgresConnection {
    /// The id of the open transaction's snapshot (`pg_export_snapshot`), for another session
    /// to read the same database state (`SnapshotSideRead`) while this transaction stays open.
    public func exportSnapshot() throws -> String {
        let id: String = try query("SELECT pg_export_snapshot() AS id").single?.decode("id") ?? ""
        // Spliced into SET TRANSACTION SNAPSHOT, which takes no parameters: only the
        // server's own form (hex digits and dashes) is accepted.
        guard !id.isEmpty, id.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 < 0x80 && Character(Unicode.Scalar($0)).isHexDigit) }) else {
            throw PostgresError(kind: .protocolViolation, message: "pg_export_snapshot returned \"\(id)\"", statement: nil)
        }
        return id
    }
}

/// A read on a session of its own, in a read-only transaction on a snapshot another
/// transaction exported (`PostgresConnection.exportSnapshot`), run on another thread while
/// the exporting transaction reads on: both see exactly the same database state.
public final class SnapshotSideRead<Value: Sendable>: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<Result<Value, any Error>?>(nil)

    /// Starts `read` on a new session to `connectionString` sharing `snapshot`; the
    /// exporting transaction must stay open until `value` returns.
    public init(
        connectionString: String, preparesStatements: Bool, snapshot: String,
        _ read: @escaping @Sendable (PostgresConnection) throws -> Value
    ) {
        DispatchQueue.global().async { [self] in
            let outcome = Result {
                let conn = try PostgresConnection(connectionString: connectionString, preparesStatements: preparesStatements)
                try conn.runScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '\(snapshot)'")
                let value = try read(conn)
                try conn.runScript("COMMIT")
                return value
            }
            result.withLock { $0 = outcome }
            done.signal()
        }
    }

    /// Waits for the read; its value, or what it threw.
    public func value() throws -> Value {
        done.wait()
        done.signal()
        return try result.withLock { $0! }.get()
    }
}
