/// A statement and its parameters. Values interpolated into an `SQL` literal become
/// parameters (`$1`, `$2`, …) and never part of the statement text:
///
///     let rows = try conn.query("SELECT title FROM articles WHERE id = \(id)")
///
/// Fragments compose with `append(_:)` or by interpolating one `SQL` into another, so optional
/// filters stay parameterised too.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    enum Part: Sendable {
        case text(String)
        case parameter(Int)
    }

    private(set) var parts: [Part]
    public private(set) var parameters: [PostgresParameter]
    /// Whether the server sends the result in its binary format (`inBinary()`).
    public private(set) var binaryResults = false
    /// Whether the statement is planned for its values at every execution (`plannedEachTime()`).
    public private(set) var isPlannedEachTime = false

    public init(stringLiteral value: String) {
        parts = [.text(value)]
        parameters = []
    }

    public init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
        parameters = stringInterpolation.parameters
    }

    /// The statement text with `$n` placeholders, as sent to the server.
    public var text: String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let s): out += s
            case .parameter(let n): out += "$\(n)"
            }
        }
        return out
    }

    public var description: String { text }

    /// The statement with its result in PostgreSQL's binary format: integers and times arrive
    /// as fixed-size numbers the server need not print nor the reader parse; text columns
    /// arrive as the same bytes. For reads of millions of rows; `PostgresRow.decode` reads
    /// both formats, `PostgresRows.integer` reads a binary integer without decoding a value.
    public func inBinary() -> SQL {
        var copy = self
        copy.binaryResults = true
        return copy
    }

    /// The statement sent unprepared, so that the server plans it for its parameters' values
    /// every time: for a statement whose best plan depends on them (how common a searched word
    /// is), which a prepared statement's generic plan, made for any values, cannot know.
    public func plannedEachTime() -> SQL {
        var copy = self
        copy.isPlannedEachTime = true
        return copy
    }

    /// libpq's `resultFormat` for the statement.
    var resultFormat: Int32 { binaryResults ? 1 : 0 }

    public mutating func append(_ other: SQL) {
        let offset = parameters.count
        for part in other.parts {
            switch part {
            case .text(let s): parts.append(.text(s))
            case .parameter(let n): parts.append(.parameter(n + offset))
            }
        }
        parameters += other.parameters
    }

    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        var result = lhs
        result.append(rhs)
        return result
    }

    /// Joins fragments with a separator, e.g. the rows of a multi-row INSERT.
    public static func joined(_ fragments: [SQL], separator: String) -> SQL {
        var result: SQL = ""
        for (index, fragment) in fragments.enumerated() {
            if index > 0 { result.append(SQL(stringLiteral: separator)) }
            result.append(fragment)
        }
        return result
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        var parameters: [PostgresParameter] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            parts.reserveCapacity(interpolationCount * 2 + 1)
            parameters.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            parts.append(.text(literal))
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            parameters.append(PostgresParameter(value))
            parts.append(.parameter(parameters.count))
        }

        /// Optionals bind as their value or SQL NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            parameters.append(PostgresParameter(value))
            parts.append(.parameter(parameters.count))
        }

        public mutating func appendInterpolation(_ fragment: SQL) {
            let offset = parameters.count
            for part in fragment.parts {
                switch part {
                case .text(let s): parts.append(.text(s))
                case .parameter(let n): parts.append(.parameter(n + offset))
                }
            }
            parameters += fragment.parameters
        }
    }
}

/// One bound parameter in PostgreSQL's text format; `text == nil` is SQL NULL.
public struct PostgresParameter: Sendable {
    public var type: PostgresType
    public var text: String?

    public init<Value: PostgresEncodable>(_ value: Value) {
        type = Value.postgresType
        text = value.postgresText
    }
}
