import Dispatch
import Foundation
import GalleyCore
import Synchronization

/// Runs blocking CPU work (password derivations) on Dispatch's threads, never on the
/// cooperative pool or an event loop, at most `width` pieces at once; the rest wait their
/// turn in order, so a burst of sign-ins cannot take every core from the API. At most
/// `maxWaiting` wait: beyond that work is refused as `busy` at once, and a waiter whose task
/// is cancelled (its client went away) leaves the queue.
final class BoundedWork: Sendable {
    let width: Int
    let maxWaiting: Int
    private let state = Mutex(State())

    private struct State {
        var running = 0
        var nextTicket = 0
        var waiting: [(ticket: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    static let busy = GalleyError.busy("Too many sign-ins at once; try again in a few seconds.")

    init(width: Int, maxWaiting: Int? = nil) {
        precondition(width >= 1, "a bound of at least one")
        self.width = width
        self.maxWaiting = maxWaiting ?? 4 * width
    }

    /// How many wait for a place now.
    var waiting: Int { state.withLock { $0.waiting.count } }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await takePlace()
        defer { leavePlace() }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }

    private enum Entry {
        case placed, queued, full, cancelled
    }

    private func takePlace() async throws {
        let ticket = state.withLock { state in
            state.nextTicket += 1
            return state.nextTicket
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let entry = state.withLock { state -> Entry in
                    if Task.isCancelled { return .cancelled }
                    if state.running < width {
                        state.running += 1
                        return .placed
                    }
                    guard state.waiting.count < maxWaiting else { return .full }
                    state.waiting.append((ticket, continuation))
                    return .queued
                }
                switch entry {
                case .placed: continuation.resume()
                case .queued: break
                case .full: continuation.resume(throwing: Self.busy)
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let left = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiting.firstIndex(where: { $0.ticket == ticket }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            left?.resume(throwing: CancellationError())
        }
    }

    /// Hands the place to the longest waiting, if any.
    private func leavePlace() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume()
    }
}
