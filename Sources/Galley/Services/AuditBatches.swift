import Postgres

/// The audit log in chain order, a batch at a time, read ahead on two connections. Pages of
/// one keyset scan depend on each other (each starts where the last ended), so the chains are
/// first cut into ranges of at most a batch each, by their heads' event counts; a range's
/// first page does not depend on the range before it, and two are read at once. Reading
/// was the slower half of verification. The heads only steer the cuts: the ranges cover
/// every chain whatever the heads say, and a range with more events than its heads count
/// is read in more pages.
struct AuditBatches {
    static let limit = 20_000

    private struct Range {
        /// The first chain of the range; nil for the start of the log.
        let lower: String?
        /// The first chain after the range; nil for the end of the log.
        let upper: String?
    }

    private let env: GalleyEnvironment
    /// Ranges not yet started, in order.
    private var ranges: ArraySlice<Range>
    /// Pages being read, in order, each with its range.
    private var reading: [(page: Task<AuditBatch, any Error>, range: Range)] = []

    init(env: GalleyEnvironment) async throws {
        self.env = env
        let heads = try await env.read { conn in
            try conn.query("SELECT chain, seq FROM audit_chain_heads ORDER BY chain").map {
                (chain: try $0.decode("chain", as: String.self), seq: try $0.decode("seq", as: Int.self))
            }
        }
        var cuts: [String] = []
        var events = 0
        for head in heads {
            if events > 0, events + head.seq > Self.limit {
                cuts.append(head.chain)
                events = 0
            }
            events += max(head.seq, 0)
        }
        let bounds: [String?] = [nil] + cuts + [nil]
        ranges = ArraySlice(zip(bounds, bounds.dropFirst()).map { Range(lower: $0, upper: $1) })
        for _ in 0..<2 { start() }
    }

    /// The next batch in chain order; nil after the last.
    mutating func next() async throws -> AuditBatch? {
        while !reading.isEmpty {
            let (page, range) = reading.removeFirst()
            let batch = try await page.value
            if batch.count == Self.limit, let end = try batch.end() {
                // The range may go on; its next page comes before every other range's.
                reading.insert((read(after: end, before: range.upper), range), at: 0)
            } else {
                start()
            }
            if batch.count > 0 { return batch }
        }
        return nil
    }

    /// Starts reading the next range's first page.
    private mutating func start() {
        guard let range = ranges.popFirst() else { return }
        reading.append((read(after: (range.lower ?? "", 0), before: range.upper), range))
    }

    private func read(after: (chain: String, seq: Int), before upper: String?) -> Task<AuditBatch, any Error> {
        let env = self.env
        return Task { try await env.read { conn in try AuditBatch.load(conn, after: after, before: upper, limit: Self.limit) } }
    }
}
