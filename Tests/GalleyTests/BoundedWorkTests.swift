import Foundation
import Synchronization
import Testing

@testable import Galley

/// Password derivations share a few threads: a burst of sign-ins waits its turn instead of
/// taking every core from the API.
@Suite struct BoundedWorkTests {
    /// Counts pieces of work running at once and remembers the most.
    final class Overlap: Sendable {
        private let counts = Mutex((now: 0, most: 0))

        func during(_ work: () -> Void) {
            counts.withLock {
                $0.now += 1
                $0.most = max($0.most, $0.now)
            }
            work()
            counts.withLock { $0.now -= 1 }
        }

        var most: Int { counts.withLock { $0.most } }
    }

    @Test(arguments: [1, 2])
    func neverRunsMoreThanItsWidthAtOnce(width: Int) async throws {
        let work = BoundedWork(width: width)
        let overlap = Overlap()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<8 {
                group.addTask {
                    try await work.run {
                        overlap.during { usleep(20_000) }
                        return n
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<8))
        #expect(overlap.most <= width)
    }

    @Test func aFailureFreesItsPlace() async throws {
        struct Refused: Error {}
        let work = BoundedWork(width: 1)
        await #expect(throws: Refused.self) { try await work.run { throw Refused() } }
        #expect(try await work.run { 42 } == 42)
    }
}
