/// A named savepoint of the open transaction: a part of it that can fail and be undone
/// without undoing the rest. `setting` and `releasing` are statements, so that they can
/// travel in a pipeline with the statements they guard.
public struct Savepoint: Sendable {
    private let name: String

    /// `name` becomes part of the statements' text, so it is a literal, never a value.
    public init(_ name: StaticString) {
        self.name = "\(name)"
    }

    /// `SAVEPOINT`, as a step of a pipeline.
    public var setting: SQL { SQL(stringLiteral: "SAVEPOINT " + name) }

    /// `RELEASE SAVEPOINT`, as a step of a pipeline.
    public var releasing: SQL { SQL(stringLiteral: "RELEASE SAVEPOINT " + name) }

    public func set(_ conn: PostgresConnection) throws {
        try conn.runScript("SAVEPOINT " + name)
    }

    public func release(_ conn: PostgresConnection) throws {
        try conn.runScript("RELEASE SAVEPOINT " + name)
    }

    /// Undoes everything since the savepoint was set; it stays set.
    public func rollBack(_ conn: PostgresConnection) throws {
        try conn.runScript("ROLLBACK TO SAVEPOINT " + name)
    }

    /// `rollBack`, then `release`, in one round trip.
    public func rollBackAndRelease(_ conn: PostgresConnection) throws {
        try conn.runScript("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)")
    }
}
