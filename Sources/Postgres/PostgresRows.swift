import CLibPQ

/// Owns a `PGresult`. A result is read-only once libpq hands it over, and libpq documents
/// reading one from several threads as safe, so sharing the box is sound.
final class ResultBox: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { PQclear(pointer) }
}

/// The rows of one statement's result.
public struct PostgresRows: Sendable, RandomAccessCollection {
    public struct Column: Sendable {
        public let name: String
        public let type: PostgresType
    }

    let box: ResultBox
    public let columns: [Column]
    public let count: Int
    /// Rows inserted, updated, deleted, … as reported by the command tag.
    public let affectedRows: Int
    /// Whether the values are in PostgreSQL's binary format (`SQL.inBinary`).
    public let binary: Bool
    let statement: String

    init(_ box: ResultBox, statement: String) {
        self.box = box
        self.statement = statement
        let result = box.pointer
        count = Int(PQntuples(result))
        columns = (0..<PQnfields(result)).map { index in
            Column(name: String(cString: PQfname(result, index)), type: PostgresType(rawValue: PQftype(result, index)))
        }
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
        binary = PQnfields(result) > 0 && PQfformat(result, 0) == 1
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    /// The first row, or a `notFound`-style nil for callers that use `find…` semantics.
    public var single: PostgresRow? { isEmpty ? nil : self[0] }

    /// A column's position, found once for decoding every row by position (`decode(at:)`).
    public func position(of column: String) throws -> Int {
        guard let position = columns.firstIndex(where: { $0.name == column }) else {
            throw PostgresError(kind: .decoding, message: "the result has no column \"\(column)\"", statement: statement)
        }
        return position
    }
}

/// One row; decode its columns by name or position.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    public func decode<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        guard let position = rows.columns.firstIndex(where: { $0.name == column }) else {
            throw PostgresError(
                kind: .decoding, message: "the result has no column \"\(column)\"", statement: rows.statement)
        }
        return try decode(at: position, as: type)
    }

    public func decode<Value: PostgresDecodable>(at position: Int, as type: Value.Type = Value.self) throws -> Value {
        let result = rows.box.pointer
        let row = Int32(index)
        let column = Int32(position)
        let pgType = rows.columns[position].type
        do {
            if PQgetisnull(result, row, column) == 1 {
                return try Value.fromNull()
            }
            let length = Int(PQgetlength(result, row, column))
            return try PQgetvalue(result, row, column).withMemoryRebound(to: UInt8.self, capacity: length) {
                pointer throws(PostgresDecodingFailure) in
                let bytes = UnsafeBufferPointer(start: pointer, count: length)
                return rows.binary ? try Value(postgresBinary: bytes, type: pgType) : try Value(postgresText: bytes, type: pgType)
            }
        } catch {
            let name = rows.columns[position].name
            let message: String
            switch error {
            case .typeMismatch:
                let format = rows.binary ? " in binary" : ""
                message = "column \"\(name)\": cannot decode PostgreSQL type \(pgType)\(format) as Swift type \(Value.self)"
            case .unexpectedNull:
                message = "column \"\(name)\": NULL cannot be decoded as non-optional Swift type \(Value.self)"
            case .invalidValue(let text):
                message = "column \"\(name)\": value \"\(text.prefix(64))\" of PostgreSQL type \(pgType) is not a valid \(Value.self)"
            }
            throw PostgresError(kind: .decoding, message: message, statement: rows.statement)
        }
    }
}

extension PostgresRows {
    /// Calls `body` with one value's bytes exactly as the server sent them (text, or binary
    /// for `SQL.inBinary`), or nil for NULL, without making a String or any other Swift
    /// value: for loops over many rows that only compare or hash values, where decoding each
    /// one would cost the most.
    /// The bytes are valid only inside `body`.
    public func withBytes<Result>(
        row: Int, column: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> Result
    ) rethrows -> Result {
        let result = box.pointer
        let (row, column) = (Int32(row), Int32(column))
        let length = Int(PQgetlength(result, row, column))
        // Only an empty value can be NULL; asking only then saves a libpq call per value.
        if length == 0, PQgetisnull(result, row, column) == 1 { return try body(nil) }
        return try PQgetvalue(result, row, column).withMemoryRebound(to: UInt8.self, capacity: length) {
            try body(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// A binary integer column's value (`SQL.inBinary`), nil for NULL, read without decoding
    /// a value through `PostgresDecodable`.
    public func integer(row: Int, column: Int) throws -> Int? {
        try withBytes(row: row, column: column) { bytes in
            guard let bytes else { return nil }
            guard binary, let value = BinaryFormat.integer(bytes) else {
                throw PostgresError(
                    kind: .decoding, message: "column \"\(columns[column].name)\": not a binary integer", statement: statement)
            }
            return value
        }
    }

    /// A binary `timestamptz` column's value (`SQL.inBinary`) as whole microseconds since
    /// 1970, nil for NULL: the exact number, without making a `Date`.
    public func microsecondsSince1970(row: Int, column: Int) throws -> Int? {
        try withBytes(row: row, column: column) { bytes in
            guard let bytes else { return nil }
            guard binary, let value = BinaryFormat.microsecondsSince1970(bytes) else {
                throw PostgresError(kind: .decoding, message: "column \"\(columns[column].name)\": not a binary time", statement: statement)
            }
            return value
        }
    }
}
