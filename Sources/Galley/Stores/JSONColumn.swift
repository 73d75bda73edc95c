import Foundation
import GalleyCore
import Postgres

extension JSONValue: PostgresCodable {
    public static var postgresType: PostgresType { .jsonb }
    public var postgresText: String? { jsonText }
    /// The common shapes read directly (`JSONValue(simpleJSON:)`), the rest by `JSONDecoder`.
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .jsonb || type == .json else { throw .typeMismatch }
        if let value = JSONValue(simpleJSON: bytes) {
            self = value
        } else {
            self = try JSONB<JSONValue>(postgresText: bytes, type: type).value
        }
    }
    /// A `jsonb`'s text follows its version byte (1).
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .jsonb else { throw .typeMismatch }
        guard bytes.first == 1 else { throw .invalidValue("jsonb of an unknown version") }
        try self.init(postgresText: UnsafeBufferPointer(rebasing: bytes.dropFirst()), type: type)
    }
}

extension PostgresRow {
    /// Decodes a jsonb column into a Codable value.
    func json<Value: Codable & Sendable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        try decode(column, as: JSONB<Value>.self).value
    }

    func optionalJSON<Value: Codable & Sendable>(_ column: String, as type: Value.Type = Value.self) throws -> Value? {
        try decode(column, as: JSONB<Value>?.self)?.value
    }

    func enumValue<Value: RawRepresentable>(_ column: String, as type: Value.Type = Value.self) throws -> Value
    where Value.RawValue == String {
        let raw = try decode(column, as: String.self)
        guard let value = Value(rawValue: raw) else {
            throw PostgresError(kind: .decoding, message: "column \"\(column)\": unknown \(Value.self) \"\(raw)\"")
        }
        return value
    }
}
