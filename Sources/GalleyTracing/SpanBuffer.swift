import Synchronization

/// Where recorded spans wait for the exporter: a bounded queue (`OTEL_BSP_MAX_QUEUE_SIZE`)
/// that drops what arrives while it is full and counts it. Adding a span takes one lock and
/// an append; the exporter is woken when a batch is ready, else by its own timer.
final class SpanBuffer: Sendable {
    private struct State {
        var spans: [FinishedSpan] = []
        var dropped = 0
    }

    let capacity: Int
    let batchSize: Int
    let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation
    private let state = Mutex(State())

    init(capacity: Int, batchSize: Int) {
        self.capacity = capacity
        self.batchSize = batchSize
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func append(_ span: FinishedSpan) {
        let batchReady = state.withLock { state in
            guard state.spans.count < capacity else {
                state.dropped += 1
                return false
            }
            state.spans.append(span)
            return state.spans.count == batchSize
        }
        if batchReady { wakeUp.yield() }
    }

    /// Every span waiting, oldest first.
    func takeAll() -> [FinishedSpan] {
        state.withLock { state in
            defer { state.spans.removeAll(keepingCapacity: true) }
            return state.spans
        }
    }

    /// How many spans were dropped since the last call.
    func takeDropped() -> Int {
        state.withLock { state in
            defer { state.dropped = 0 }
            return state.dropped
        }
    }

    func requestExport() { wakeUp.yield() }

    /// Ends `wakeUps`: the exporter sends what is left and stops.
    func close() { wakeUp.finish() }
}
