import GalleyCore
import Synchronization

/// Counts of what the domain did, by kind and outcome, for `/metrics`: transitions by action
/// and verdicts by verdict (a closed set each, so a caller cannot grow the series), each `applied` or `refused` (a `GalleyError`: the
/// caller's mistake or a rule) or `failed` (anything else). Counted where the services run, so
/// the API and the desk count alike.
public final class Tallies: Sendable {
    public struct Key: Hashable, Sendable {
        /// `transition` or `verdict`.
        public let kind: String
        /// The transition's action, or the verdict (`passed`, `failed`, `waived`…).
        public let subject: String
        public let outcome: String
    }

    private let counts = Mutex<[Key: Int]>([:])

    public init() {}

    public var snapshot: [Key: Int] { counts.withLock { $0 } }

    /// Runs `body` and counts its outcome under `kind` and `subject`.
    func counting<Result>(_ kind: String, _ subject: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            let result = try await body()
            add(Key(kind: kind, subject: subject, outcome: "applied"))
            return result
        } catch {
            add(Key(kind: kind, subject: subject, outcome: error is GalleyError ? "refused" : "failed"))
            throw error
        }
    }

    private func add(_ key: Key) {
        counts.withLock { $0[key, default: 0] += 1 }
    }
}
