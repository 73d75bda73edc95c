import ArgumentParser
import Postgres

/// pgbench's select-only transaction (`pgbench -S`) through one shared `PostgresPool`, so its
/// rate compares directly with pgbench's tps on the same database.
struct DB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Point selects on pgbench_accounts (made by `pgbench -i`) through one PostgresPool.",
        discussion: #"Prints one line: {"queries": N, "seconds": S, "rate": R}"#
    )

    @Option(help: "libpq URL or key=value string; empty uses the PG* environment variables.")
    var connection = ""

    @Option(help: "Concurrent tasks; also the pool's size.")
    var tasks = 8

    @Option(help: "How long to run, in seconds.")
    var seconds = 10

    enum API: String, ExpressibleByArgument, Sendable {
        /// `pool.query(…)`: one statement, sent without blocking, answered via the event loop.
        case query
        /// `pool.withConnection { conn.query(…) }`: a closure on the connection's own thread.
        case withConnection = "with-connection"
    }

    @Option(help: "Which pool API runs each select: query or with-connection.")
    var api = API.query

    @Option(help: "Accounts in pgbench_accounts: 100000 per unit of pgbench's scale.")
    var rows = 100_000

    func validate() throws {
        guard tasks >= 1 else { throw ValidationError("--tasks must be at least 1") }
        guard seconds >= 1 else { throw ValidationError("--seconds must be at least 1") }
        guard (1...Int(Int32.max)).contains(rows) else { throw ValidationError("--rows must be in 1...\(Int32.max)") }
    }

    func run() async throws {
        let pool = PostgresPool(configuration: .init(connectionString: connection, maxConnections: tasks))
        let accounts = Int32(1)...Int32(rows)

        // pgbench does not count connecting, so neither do we: opening a connection takes far
        // longer than starting a task, so these concurrent first queries each open their own.
        _ = try await concurrently(tasks) {
            var random = SplitMix64()
            return try await balance(pool, Int32.random(in: accounts, using: &random), api)
        }

        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(seconds)
        let counts = try await concurrently(tasks) {
            var count = 0
            var random = SplitMix64()
            while clock.now < deadline {
                _ = try await balance(pool, Int32.random(in: accounts, using: &random), api)
                count += 1
            }
            return count
        }
        let elapsed = start.duration(to: clock.now)
        await pool.close()

        let queries = counts.reduce(0, +)
        let time = elapsedSeconds(elapsed)
        let rate = Double(queries) / time
        let shown = (seconds: (time * 1000).rounded() / 1000, rate: (rate * 10).rounded() / 10)
        print(#"{"queries": \#(queries), "seconds": \#(shown.seconds), "rate": \#(shown.rate)}"#)
    }
}

/// One `pgbench -S` transaction: the balance of a random account.
private func balance(_ pool: PostgresPool, _ aid: Int32, _ api: DB.API) async throws -> Int32 {
    @Sendable func decode(_ rows: PostgresRows) throws -> Int32 {
        guard let row = rows.single else {
            throw BenchmarkError(description: "no account \(aid) in pgbench_accounts; is --rows above 100000 × pgbench's scale?")
        }
        return try row.decode("abalance", as: Int32.self)
    }
    switch api {
    case .query:
        return try decode(try await pool.query("SELECT abalance FROM pgbench_accounts WHERE aid = \(aid)"))
    case .withConnection:
        return try await pool.withConnection { conn in
            try decode(try conn.query("SELECT abalance FROM pgbench_accounts WHERE aid = \(aid)"))
        }
    }
}

/// Random account numbers without a system call each, as pgbench draws them with its own
/// generator; `Int32.random(in:)` asks the kernel (getrandom) every time.
struct SplitMix64: RandomNumberGenerator {
    private var state = UInt64.random(in: .min ... .max)

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body` in `count` child tasks at once and returns their results.
private func concurrently<Value: Sendable>(
    _ count: Int, _ body: @escaping @Sendable () async throws -> Value
) async throws -> [Value] {
    try await withThrowingTaskGroup(of: Value.self) { group in
        for _ in 0..<count { group.addTask(operation: body) }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}
