import Dispatch
import Foundation
import Postgres
import Synchronization

/// A batch of audit events as PostgreSQL sent them (in binary), for writing them out from
/// their bytes: an export of millions spent most of its time making an `AuditEvent` of each
/// row, its Strings and its `details` tree, only to write them out again. `event(_:)` makes
/// one, for whatever a writer does not take from the bytes.
public struct AuditEventRows: Sendable {
    /// An event's fields, in `AuditStore.columns`' order.
    public enum Field: Int, Sendable {
        case id, chain, seq, actorID, actor, action, articleID, revision, fromState, toState, reason, details, requestID, at,
            prevHash, hash
    }

    let rows: PostgresRows
    /// The position of `id`; the other fields follow it.
    let first: Int
    public let count: Int
    /// Whether the rows are in binary and each field has its column's type (`sql/`), which
    /// the readers below take for granted.
    private let asStored: Bool

    private static let types: [PostgresType] = [
        .int8, .text, .int8, .uuid, .text, .text, .uuid, .int4, .text, .text, .text, .jsonb, .text, .timestamptz, .text, .text,
    ]

    init(_ rows: PostgresRows, first: Int, count: Int) {
        self.rows = rows
        self.first = first
        self.count = count
        asStored = rows.binary && rows.columns.dropFirst(first).map(\.type).starts(with: Self.types)
    }

    /// The event of a row, decoded as every reader of the audit log decodes it.
    public func event(_ row: Int) throws -> AuditEvent {
        try AuditStore.event(rows[row], at: first)
    }

    /// Every event, decoded on every core (Dispatch's threads: this runs on a connection's
    /// thread): a batch took as long to decode as the server took to send it.
    func events() throws -> [AuditEvent] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 500))
        let size = (count + parts - 1) / parts
        let decoded = Mutex([Result<[AuditEvent], any Error>](repeating: .success([]), count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (part * size)..<min(count, (part + 1) * size)
            let events = Result { try range.map(event) }
            decoded.withLock { $0[part] = events }
        }
        return try decoded.withLock { $0 }.flatMap { try $0.get() }
    }

    /// The id of the last event; nil when there is none.
    var lastID: Int? {
        get throws { try count == 0 ? nil : integer(count - 1, .id) }
    }

    // The readers below decode a field with the decoder `event(_:)` uses for it, and throw
    // where it throws (and where the rows are not as stored).

    public func integer(_ row: Int, _ field: Field) throws -> Int? {
        try value(row, field) { try Int(postgresBinary: $0, type: $1) }
    }

    public func uuid(_ row: Int, _ field: Field) throws -> UUID? {
        try value(row, field) { try UUID(postgresBinary: $0, type: $1) }
    }

    public func date(_ row: Int, _ field: Field) throws -> Date? {
        try value(row, field) { try Date(postgresBinary: $0, type: $1) }
    }

    /// A text field's bytes, the ones its String is decoded from (`details`: its jsonb's
    /// text), nil for NULL.
    public func withText<Result>(_ row: Int, _ field: Field, _ body: (UnsafeBufferPointer<UInt8>?) throws -> Result) throws -> Result {
        guard asStored else { throw Self.notAsStored }
        return try rows.withBytes(row: row, column: first + field.rawValue) { bytes in
            guard field == .details, let bytes else { return try body(bytes) }
            guard bytes.first == 1 else { throw PostgresError(kind: .decoding, message: "jsonb of an unknown version", statement: nil) }
            return try body(UnsafeBufferPointer(rebasing: bytes.dropFirst()))
        }
    }

    private func value<Value>(
        _ row: Int, _ field: Field, _ decode: (UnsafeBufferPointer<UInt8>, PostgresType) throws -> Value
    ) throws -> Value? {
        guard asStored else { throw Self.notAsStored }
        let column = first + field.rawValue
        return try rows.withBytes(row: row, column: column) { bytes in try bytes.map { try decode($0, rows.columns[column].type) } }
    }

    private static let notAsStored = PostgresError(kind: .decoding, message: "audit events not read as stored", statement: nil)
}
