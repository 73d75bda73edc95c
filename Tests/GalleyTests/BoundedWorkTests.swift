import Dispatch
import Foundation
import GalleyCore
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
        let work = BoundedWork(width: width, maxWaiting: 8)
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

/// The queue for a place is bounded, and a request that went away leaves it.
@Suite struct BoundedWorkQueueTests {
    /// Holds one piece of work running until opened.
    final class Gate: Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        private let entered = Mutex(false)
        func hold() {
            entered.withLock { $0 = true }
            semaphore.wait()
        }
        func open() { semaphore.signal() }
        var isHeld: Bool { entered.withLock { $0 } }
    }

    /// Waits up to 30 s for `condition`; the test stops if it never holds.
    func until(_ condition: () -> Bool) async throws {
        for _ in 0..<3000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        try #require(condition())
    }

    @Test func beyondItsQueueWorkIsRefusedAsBusy() async throws {
        let work = BoundedWork(width: 1, maxWaiting: 2)
        let gate = Gate()
        // Opened on every way out, so no thread stays held when the test stops early.
        defer { gate.open() }
        let holder = Task { try await work.run { gate.hold() } }
        try await until { gate.isHeld }
        let waiters = (0..<2).map { n in Task { try await work.run { n } } }
        try await until { work.waiting == 2 }
        let error = await #expect(throws: GalleyError.self) { try await work.run { 9 } }
        guard case .busy(let message) = error else {
            Issue.record("expected busy, got \(String(describing: error))")
            gate.open()
            return
        }
        #expect(message.contains("try again in a few seconds"))
        gate.open()
        try await holder.value
        #expect(try await waiters[0].value == 0)
        #expect(try await waiters[1].value == 1)
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let work = BoundedWork(width: 1, maxWaiting: 1)
        let gate = Gate()
        // Opened on every way out, so no thread stays held when the test stops early.
        defer { gate.open() }
        let holder = Task { try await work.run { gate.hold() } }
        try await until { gate.isHeld }
        let gone = Task { try await work.run { 1 } }
        try await until { work.waiting == 1 }
        gone.cancel()
        await #expect(throws: CancellationError.self) { try await gone.value }
        #expect(work.waiting == 0)
        let next = Task { try await work.run { 2 } }
        try await until { work.waiting == 1 }
        gate.open()
        try await holder.value
        #expect(try await next.value == 2)
    }
}
