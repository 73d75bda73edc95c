import Foundation
import GalleyCore

/// A Swift value that can be sent as a statement parameter, in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    static var postgresType: PostgresType { get }
    /// The text-format value; `nil` sends SQL NULL.
    var postgresText: String? { get }
}

/// A Swift value that can be read from a column of a result.
public protocol PostgresDecodable {
    /// Decodes a non-NULL value given in PostgreSQL's text format.
    init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure)
    /// Decodes a non-NULL value given in PostgreSQL's binary format (`SQL.inBinary`).
    init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure)
    /// The value for SQL NULL; non-Optional types refuse it.
    static func fromNull() throws(PostgresDecodingFailure) -> Self
}

extension PostgresDecodable {
    public static func fromNull() throws(PostgresDecodingFailure) -> Self { throw .unexpectedNull }
    /// Types without a binary reading refuse binary results.
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        throw .typeMismatch
    }
}

public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

/// Why a value could not be decoded; the row turns it into a `PostgresError` that names the
/// column and both types.
public enum PostgresDecodingFailure: Error, Sendable {
    case typeMismatch
    case unexpectedNull
    case invalidValue(String)
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresType { Wrapped.postgresType }
    public var postgresText: String? { self?.postgresText }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        self = .some(try Wrapped(postgresText: bytes, type: type))
    }
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        self = .some(try Wrapped(postgresBinary: bytes, type: type))
    }
    public static func fromNull() throws(PostgresDecodingFailure) -> Self { .none }
}

@inline(__always)
func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}

extension String: PostgresCodable {
    public static var postgresType: PostgresType { .text }
    public var postgresText: String? { self }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard PostgresType.textLike.contains(type) || type == .json || type == .jsonb else { throw .typeMismatch }
        self = string(bytes)
    }
    /// Text is its bytes; a `jsonb`'s text follows its version byte.
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        if type == .jsonb {
            guard bytes.first == 1 else { throw .invalidValue("jsonb of an unknown version") }
            self = string(UnsafeBufferPointer(rebasing: bytes.dropFirst()))
            return
        }
        guard PostgresType.textLike.contains(type) || type == .json else { throw .typeMismatch }
        self = string(bytes)
    }
}

extension Int: PostgresCodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresText: String? { String(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard PostgresType.integers.contains(type) else { throw .typeMismatch }
        self = try parseInteger(bytes)
    }
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard PostgresType.integers.contains(type) else { throw .typeMismatch }
        guard let value = BinaryFormat.integer(bytes) else { throw .invalidValue("\(bytes.count) bytes") }
        self = value
    }
}

extension Int64: PostgresCodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresText: String? { String(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard PostgresType.integers.contains(type) else { throw .typeMismatch }
        self = Int64(try parseInteger(bytes))
    }
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard PostgresType.integers.contains(type) else { throw .typeMismatch }
        guard let value = BinaryFormat.integer(bytes), let exact = Int64(exactly: value) else { throw .invalidValue("\(bytes.count) bytes") }
        self = exact
    }
}

extension Int32: PostgresCodable {
    public static var postgresType: PostgresType { .int4 }
    public var postgresText: String? { String(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .int2 || type == .int4 else { throw .typeMismatch }
        self = Int32(try parseInteger(bytes))
    }
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .int2 || type == .int4 else { throw .typeMismatch }
        guard let value = BinaryFormat.integer(bytes), let exact = Int32(exactly: value) else { throw .invalidValue("\(bytes.count) bytes") }
        self = exact
    }
}

extension Int16: PostgresCodable {
    public static var postgresType: PostgresType { .int2 }
    public var postgresText: String? { String(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .int2 else { throw .typeMismatch }
        self = Int16(try parseInteger(bytes))
    }
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .int2 else { throw .typeMismatch }
        guard let value = BinaryFormat.integer(bytes), let exact = Int16(exactly: value) else { throw .invalidValue("\(bytes.count) bytes") }
        self = exact
    }
}

private func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) throws(PostgresDecodingFailure) -> Int {
    var value = 0
    var negative = false
    var index = 0
    if bytes.first == UInt8(ascii: "-") {
        negative = true
        index = 1
    }
    guard index < bytes.count else { throw .invalidValue(string(bytes)) }
    while index < bytes.count {
        let digit = Int(bytes[index]) - 48
        guard digit >= 0, digit <= 9 else { throw .invalidValue(string(bytes)) }
        // Accumulate negatively so that Int.min parses too.
        let (m, o1) = value.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.subtractingReportingOverflow(digit)
        guard !o1, !o2 else { throw .invalidValue(string(bytes)) }
        value = s
        index += 1
    }
    if negative { return value }
    guard value != Int.min else { throw .invalidValue(string(bytes)) }
    return -value
}

extension Bool: PostgresCodable {
    public static var postgresType: PostgresType { .bool }
    public var postgresText: String? { self ? "t" : "f" }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .bool else { throw .typeMismatch }
        switch bytes.first {
        case UInt8(ascii: "t"): self = true
        case UInt8(ascii: "f"): self = false
        default: throw .invalidValue(string(bytes))
        }
    }
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .bool else { throw .typeMismatch }
        guard bytes.count == 1 else { throw .invalidValue("\(bytes.count) bytes") }
        self = bytes[0] != 0
    }
}

extension Double: PostgresCodable {
    public static var postgresType: PostgresType { .float8 }
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .float8 || type == .float4 || type == .numeric else { throw .typeMismatch }
        guard let value = Double(string(bytes)) else { throw .invalidValue(string(bytes)) }
        self = value
    }
}

extension UUID: PostgresCodable {
    public static var postgresType: PostgresType { .uuid }
    public var postgresText: String? { UUIDFormat.format(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .uuid else { throw .typeMismatch }
        guard let value = UUIDFormat.parse(bytes) else { throw .invalidValue(string(bytes)) }
        self = value
    }
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .uuid else { throw .typeMismatch }
        guard bytes.count == 16 else { throw .invalidValue("\(bytes.count) bytes") }
        self = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

extension Date: PostgresCodable {
    public static var postgresType: PostgresType { .timestamptz }
    public var postgresText: String? { RFC3339.format(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .timestamptz || type == .timestamp else { throw .typeMismatch }
        guard let value = TimestampFormat.parse(bytes) else { throw .invalidValue(string(bytes)) }
        self = value
    }
    /// Whole microseconds, as the text form has them (`TimestampFormat`).
    public init(postgresBinary bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .timestamptz || type == .timestamp else { throw .typeMismatch }
        guard let micros = BinaryFormat.microsecondsSince1970(bytes) else { throw .invalidValue("\(bytes.count) bytes") }
        self = TimestampFormat.date(microsecondsSince1970: micros)
    }
}

extension Data: PostgresCodable {
    public static var postgresType: PostgresType { .bytea }
    public var postgresText: String? { ByteaFormat.format(self) }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .bytea else { throw .typeMismatch }
        guard let value = ByteaFormat.parse(bytes) else { throw .invalidValue(string(bytes)) }
        self = value
    }
}

/// A calendar date without a time, PostgreSQL's `date`.
public struct CalendarDate: Hashable, Sendable, CustomStringConvertible, PostgresCodable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public var description: String {
        let y = String(year)
        let m = String(month)
        let d = String(day)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-"
            + (m.count < 2 ? "0" + m : m) + "-" + (d.count < 2 ? "0" + d : d)
    }

    public static var postgresType: PostgresType { .date }
    public var postgresText: String? { description }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .date else { throw .typeMismatch }
        let fields = string(bytes).split(separator: "-")
        guard fields.count == 3, let y = Int(fields[0]), let m = Int(fields[1]), let d = Int(fields[2]) else {
            throw .invalidValue(string(bytes))
        }
        self.init(year: y, month: m, day: d)
    }
}

extension Array: PostgresEncodable where Element == String {
    public static var postgresType: PostgresType { .textArray }
    public var postgresText: String? { TextArrayFormat.format(self) }
}

extension Array: PostgresDecodable where Element == String {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .textArray || type == .varcharArray else { throw .typeMismatch }
        guard let value = TextArrayFormat.parse(bytes) else { throw .invalidValue(string(bytes)) }
        self = value
    }
}

/// A `jsonb` value holding any `Codable` Swift value.
public struct JSONB<Value: Codable & Sendable>: PostgresCodable, Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }

    public static var postgresType: PostgresType { .jsonb }
    public var postgresText: String? {
        // Encoding a Codable value of our own types cannot fail short of a programming error.
        guard let data = try? JSONCoding.encoder.encode(value) else {
            preconditionFailure("value of \(Value.self) is not JSON-encodable")
        }
        return String(decoding: data, as: UTF8.self)
    }
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, type: PostgresType) throws(PostgresDecodingFailure) {
        guard type == .jsonb || type == .json else { throw .typeMismatch }
        do {
            value = try JSONCoding.decoder.decode(Value.self, from: Data(buffer: bytes))
        } catch {
            throw .invalidValue("\(error)")
        }
    }
}

enum JSONCoding {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
    static var decoder: JSONDecoder { JSONDecoder() }
}
