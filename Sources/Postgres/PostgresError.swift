/// An error from PostgreSQL or from this client.
///
/// Server errors carry the SQLSTATE and the fields PostgreSQL reports, so callers can map
/// unique, foreign-key and check violations to meaningful errors of their own. `statement`
/// is for logs only: never show it to a client.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server refused a statement; see `sqlState`.
        case server
        /// The connection could not be opened or was lost.
        case connection
        /// No connection became free within the pool's acquire timeout.
        case poolTimeout
        /// The pool was shut down.
        case poolClosed
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// libpq or the server did something this client did not expect.
        case protocolViolation
        /// A parameter cannot be sent as given: its text holds U+0000, which PostgreSQL text
        /// cannot store and libpq would silently cut the value at. Nothing was sent.
        case unsendableParameter
    }

    public var kind: Kind
    public var message: String
    public var sqlState: String?
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?
    public var statement: String?

    public init(
        kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, table: String? = nil,
        column: String? = nil, statement: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
        self.statement = statement
    }

    public var description: String {
        var text = message
        if let sqlState { text = "\(sqlState): \(text)" }
        if let detail { text += " (detail: \(detail))" }
        if let constraint { text += " [constraint \(constraint)]" }
        return text
    }

    /// What every statement and waiter still pending gets once the pool is shut down.
    static let poolClosed = PostgresError(kind: .poolClosed, message: "the connection pool was shut down")

    /// SQLSTATEs after which a whole transaction may simply be run again.
    public var isTransient: Bool {
        sqlState == SQLState.serializationFailure || sqlState == SQLState.deadlockDetected
    }

    /// The database could not be reached or answer (the connection, the pool): worth trying
    /// again later as a whole, unlike a statement the server refused.
    public var isUnreachable: Bool {
        kind == .connection || kind == .poolTimeout || kind == .poolClosed
    }

    /// The statement was cancelled (its task was: a server shutting down).
    public var isCancellation: Bool { sqlState == SQLState.queryCanceled }

    public var isUniqueViolation: Bool { sqlState == SQLState.uniqueViolation }
    public var isForeignKeyViolation: Bool { sqlState == SQLState.foreignKeyViolation }
    public var isCheckViolation: Bool { sqlState == SQLState.checkViolation }
}

/// The SQLSTATE codes callers commonly branch on.
public enum SQLState {
    public static let uniqueViolation = "23505"
    public static let foreignKeyViolation = "23503"
    public static let checkViolation = "23514"
    public static let notNullViolation = "23502"
    public static let serializationFailure = "40001"
    public static let deadlockDetected = "40P01"
    public static let queryCanceled = "57014"
    public static let raiseException = "P0001"
    public static let insufficientPrivilege = "42501"
    public static let invalidTextRepresentation = "22P02"
    public static let adminShutdown = "57P01"
    public static let lockNotAvailable = "55P03"
}
