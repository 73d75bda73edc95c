/// Told of every round trip to the database and every wait for a connection, for metrics
/// and traces (`PostgresConfiguration.observer`). Called on the thread that ran the round
/// trip, right after it, with the calling task's `ServiceContext` (its trace) current, so it
/// must be quick and must not block.
public protocol PostgresObserver: Sendable {
    /// One round trip: `statements` as sent (the text with `$n` placeholders, never a
    /// parameter's value; more than one for a pipeline), the rows the last one returned or
    /// changed, its time, and whether it failed.
    func roundTrip(statements: [String], rows: Int, duration: Duration, failed: Bool)
    /// How long a caller waited for a free connection (zero when one was free).
    func waitedForConnection(_ duration: Duration)
}

/// A short, stable name for a statement, for a metric's label or a span's name: its verb and
/// the first table it names (`SELECT articles`, `INSERT audit_events`, `WITH articles`,
/// `BEGIN`). Never a value: those are parameters, not part of the text.
public enum StatementName {
    public static func of(_ text: String) -> String {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "(" || $0 == ")" || $0 == "," || $0 == ";" })
        guard let first = words.first else { return "EMPTY" }
        let verb = first.uppercased()
        // The first table after a keyword that introduces one.
        let introducers: Set<String> = ["FROM", "INTO", "UPDATE", "JOIN", "TABLE"]
        var index = words.startIndex
        if verb == "UPDATE", words.count > 1 { return "UPDATE \(plain(words[1]))" }
        while index < words.endIndex {
            if introducers.contains(words[index].uppercased()), words.index(after: index) < words.endIndex {
                let table = words[words.index(after: index)]
                if table.first != "$", table.uppercased() != "SELECT", table.uppercased() != "LATERAL" {
                    return "\(verb) \(plain(table))"
                }
            }
            index = words.index(after: index)
        }
        return verb
    }

    /// A name without its schema or quotes, and never longer than 63 characters.
    private static func plain(_ word: Substring) -> String {
        let name = word.split(separator: ".").last.map(String.init) ?? String(word)
        return String(name.filter { $0 != "\"" }.prefix(63))
    }
}

extension PostgresObserver {
    /// Reports a round trip that began at `started` and ended now with `outcome`.
    func observe(_ statements: [String], _ outcome: Result<PostgresRows, any Error>, since started: ContinuousClock.Instant) {
        observe(statements, rows: (try? outcome.get()).map { max($0.count, $0.affectedRows) }, since: started)
    }

    /// `rows` is nil when the round trip failed.
    func observe(_ statements: [String], rows: Int?, since started: ContinuousClock.Instant) {
        roundTrip(statements: statements, rows: rows ?? 0, duration: ContinuousClock.now - started, failed: rows == nil)
    }
}

/// Runs `send`, a statement sent without blocking, and reports its round trip to `observer`;
/// an answer of nil (nothing was sent) is not a round trip.
func observedSend(
    _ observer: (any PostgresObserver)?, _ statement: String, _ send: () async throws -> PostgresRows?
) async throws -> PostgresRows? {
    guard let observer else { return try await send() }
    let started = ContinuousClock.now
    do {
        let rows = try await send()
        if let rows { observer.observe([statement], .success(rows), since: started) }
        return rows
    } catch {
        observer.observe([statement], rows: nil, since: started)
        throw error
    }
}

/// Several observers, each told of everything in turn.
public struct PostgresObservers: PostgresObserver {
    public let observers: [any PostgresObserver]

    public init(_ observers: [any PostgresObserver]) {
        self.observers = observers
    }

    public func roundTrip(statements: [String], rows: Int, duration: Duration, failed: Bool) {
        for observer in observers { observer.roundTrip(statements: statements, rows: rows, duration: duration, failed: failed) }
    }

    public func waitedForConnection(_ duration: Duration) {
        for observer in observers { observer.waitedForConnection(duration) }
    }
}
