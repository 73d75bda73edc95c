import Dispatch
import Foundation
import Synchronization

/// Runs blocking CPU work (password derivations) on Dispatch's threads, never on the
/// cooperative pool or an event loop, at most `width` pieces at once; the rest wait their
/// turn in order, so a burst of sign-ins cannot take every core from the API.
final class BoundedWork: Sendable {
    let width: Int
    private let state = Mutex(State())

    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    init(width: Int) {
        precondition(width >= 1, "a bound of at least one")
        self.width = width
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        await takePlace()
        defer { leavePlace() }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func takePlace() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = state.withLock { state in
                guard state.running < width else {
                    state.waiting.append(continuation)
                    return false
                }
                state.running += 1
                return true
            }
            if free { continuation.resume() }
        }
    }

    /// Hands the place to the longest waiting, if any.
    private func leavePlace() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
