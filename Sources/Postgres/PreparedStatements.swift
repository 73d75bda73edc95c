/// The statements a session has prepared, by text and parameter types. Every statement we
/// send is prepared once per session and executed by name afterwards, so PostgreSQL parses
/// it once and, after a few executions, reuses its plan (`plan_cache_mode = auto`): parsing
/// and planning would otherwise dominate the server's time for our short statements.
///
/// Names are never reused within a session (a counter), so a prepare that may or may not
/// have happened in a failed pipeline can never collide with a later one. When the cache is
/// full the session deallocates everything and starts again.
struct PreparedStatements {
    struct Key: Hashable {
        let text: String
        let types: [UInt32]

        init(_ sql: SQL) {
            text = sql.text
            types = sql.parameters.map(\.type.rawValue)
        }
    }

    static let capacity = 256

    private var names: [Key: String] = [:]
    private var counter = 0

    func name(for key: Key) -> String? { names[key] }

    var count: Int { names.count }

    /// A name no statement of this session has had.
    mutating func newName() -> String {
        counter += 1
        return "galley_\(counter)"
    }

    mutating func remember(_ key: Key, as name: String) { names[key] = name }

    mutating func forget(_ key: Key) { names[key] = nil }

    mutating func forgetAll() { names.removeAll(keepingCapacity: true) }
}
