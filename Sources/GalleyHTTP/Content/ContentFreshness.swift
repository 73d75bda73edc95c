import Galley
import Synchronization

/// The count of public changes (`content_generation`) as of a moment after a request
/// arrived, so that a change committed before the request is seen by it on every server.
/// Requests share probes: while one is on its way, those arriving meanwhile wait for the
/// next, which is sent as it returns. One probe in flight at a time, however many readers.
final class ContentFreshness: Sendable {
    private typealias Waiter = CheckedContinuation<Int64, any Error>

    private struct State {
        var probing = false
        /// Arrived since the probe in flight was sent.
        var waiting: [Waiter] = []
    }

    private let probe: @Sendable () async throws -> Int64
    private let state = Mutex(State())

    init(probe: @escaping @Sendable () async throws -> Int64) {
        self.probe = probe
    }

    /// Probes the database, counting each probe in `metrics`.
    convenience init(services: GalleyServices, metrics: HTTPMetrics) {
        let content = services.content
        let probes = metrics.contentProbeCounter()
        self.init {
            probes.increment()
            return try await content.generation()
        }
    }

    func current() async throws -> Int64 {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            let batch = state.withLock { state -> [Waiter]? in
                state.waiting.append(waiter)
                return state.probing ? nil : Self.take(&state)
            }
            if let batch { send(for: batch) }
        }
    }

    private static func take(_ state: inout State) -> [Waiter] {
        state.probing = true
        defer { state.waiting = [] }
        return state.waiting
    }

    private func send(for batch: [Waiter]) {
        Task {
            let result = await Result(catching: probe)
            for waiter in batch { waiter.resume(with: result) }
            let next = state.withLock { state -> [Waiter]? in
                state.probing = false
                return state.waiting.isEmpty ? nil : Self.take(&state)
            }
            if let next { send(for: next) }
        }
    }
}

extension Result where Failure == any Error {
    fileprivate init(catching body: @Sendable () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
