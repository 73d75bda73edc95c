import Foundation
import Testing

/// The PostgreSQL cluster a test's databases are made on.
///
/// The event stream, its pruning and webhook dispatch go only past every transaction running
/// in the *cluster* (`pg_snapshot_xmin`), whatever its database. Hundreds of tests write in
/// parallel, and under load one of them can keep a transaction open for tens of seconds, so
/// the suites that wait on that horizon run on a cluster of their own (`.ownTransactionHorizon`).
public struct TestCluster: Sendable, Hashable {
    /// libpq keywords naming the cluster; empty for the one the `PG*` variables name.
    let keywords: String

    /// The cluster the `PG*` variables name.
    public static let shared = TestCluster(keywords: "")

    /// The cluster whose socket folder `GALLEY_TEST_HORIZON_PGHOST` names (scripts/test starts
    /// it); the shared one when that is unset, as in a plain `swift test`.
    public static let ownHorizon: TestCluster = {
        guard let host = ProcessInfo.processInfo.environment["GALLEY_TEST_HORIZON_PGHOST"], !host.isEmpty else { return .shared }
        return TestCluster(keywords: "host='\(host.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'")
    }()

    /// The cluster of the running test.
    @TaskLocal public static var current = TestCluster.shared

    /// A libpq connection string to `database` on this cluster.
    public func connectionString(database: String) -> String {
        keywords.isEmpty ? "dbname=\(database)" : "\(keywords) dbname=\(database)"
    }
}

/// Runs each test of a suite with `TestCluster.current` set to `TestCluster.ownHorizon`.
public struct OwnTransactionHorizon: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await TestCluster.$current.withValue(.ownHorizon) { try await function() }
    }
}

extension Trait where Self == OwnTransactionHorizon {
    /// The suite's databases are made on a cluster of their own (`TestCluster.ownHorizon`).
    public static var ownTransactionHorizon: Self { Self() }
}
