import ArgumentParser
import Foundation
import Galley
import GalleyCore
import Postgres
import Synchronization

/// Publishes approved articles while a receiver on loopback counts the webhook deliveries
/// that a separately running `galley serve` sends for them (scripts/bench-webhooks).
struct Webhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Publish approved articles and time the webhook deliveries a running server sends for them.",
        discussion: """
            Starts a receiver on 127.0.0.1:PORT (POST /hooks, answers 200), publishes the listed \
            approved articles through the batch publisher (chunks of --batch, --workers at once, \
            as the publisher service `bench-press`), and waits until every article's \
            article.published delivery has arrived. Latency is measured twice: from the commit \
            (when the publisher's call returned, the moment the event became visible) and from \
            the event's time (the body's `time`: when the publishing transaction started, so it \
            includes the batch's own duration). Deliveries/s: deliveries ÷ (last arrival − first \
            commit). Prints one JSON line: {"published", "publish_seconds", "deliveries", \
            "duplicates", "seconds", "deliveries_per_second", "p50_ms", "p99_ms", "max_ms", \
            "p50_from_event_ms", "p99_from_event_ms"}; the unqualified latencies are from the commit.
            """
    )

    @Option(help: "libpq URL or key=value string; empty uses the PG* environment variables.")
    var connection = ""

    @Option(help: "File with the ids of approved articles to publish, one a line.")
    var ids: String?

    @Option(help: "Instead of publishing: wait for this many deliveries of events published before (a backlog) and time their drain.")
    var backlog: Int?

    @Option(help: "Port for the receiver on 127.0.0.1; the webhook must point at http://127.0.0.1:PORT/hooks.")
    var port: Int

    @Option(help: "Concurrent publishers; also the pool's size.")
    var workers = 1

    @Option(help: "Articles per publish batch (at most 10000).")
    var batch = 1_000

    @Option(help: "Give up waiting for deliveries after this many seconds.")
    var timeout = 120

    func validate() throws {
        guard workers >= 1, batch >= 1, timeout >= 1 else { throw ValidationError("--workers, --batch and --timeout must be at least 1") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
        guard (ids == nil) != (backlog == nil) else { throw ValidationError("give either --ids or --backlog") }
        if let backlog, backlog < 1 { throw ValidationError("--backlog must be at least 1") }
    }

    func run() async throws {
        let receiver = try await DeliveryReceiver.start(port: port)
        if let backlog { return try await drain(backlog, receiver) }
        guard let ids else { return }
        let articleIDs = try String(contentsOfFile: ids, encoding: .utf8).split(separator: "\n").map { line in
            guard let id = UUID(uuidString: String(line)) else { throw ValidationError("not an id in \(ids): \(line)") }
            return id
        }
        let pool = PostgresPool(configuration: .init(connectionString: connection, maxConnections: workers))
        let services = GalleyServices(pool: pool)
        let publisher = try await BenchCast.prepare(services).publisher
        _ = try await inParallel(workers) { _ in try await pool.withConnection { try $0.runScript("SELECT 1") } }

        let chunks = stride(from: 0, to: articleIDs.count, by: batch).map { Array(articleIDs[$0..<min($0 + batch, articleIDs.count)]) }
        let next = Atomic<Int>(0)
        let start = Date()
        let commits = try await inParallel(workers) { _ in
            var committed: [(UUID, Date)] = []
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                if index >= chunks.count { return committed }
                let result = try await services.publishing.publish(chunks[index], atomic: false, by: publisher)
                let now = Date()
                committed += result.results.filter { $0.status == .published }.map { ($0.articleID, now) }
            }
        }.flatMap { $0 }
        let committedAt = Dictionary(commits, uniquingKeysWith: { first, _ in first })
        let published = committedAt.count
        let publishSeconds = Date().timeIntervalSince(start)
        await pool.close()

        try await receiver.wait(for: published, timeout: timeout)

        let arrivals = receiver.arrivals
        let unique = Array(Dictionary(arrivals.map { ($0.eventID, $0) }, uniquingKeysWith: { first, _ in first }).values)
        let fromCommit = unique.compactMap { arrival in
            arrival.articleID.flatMap { committedAt[$0] }.map { arrival.receivedAt.timeIntervalSince($0) * 1000 }
        }.sorted()
        let fromEvent = unique.map { $0.receivedAt.timeIntervalSince($0.eventTime) * 1000 }.sorted()
        let firstCommit = committedAt.values.min() ?? start
        let seconds = (unique.map(\.receivedAt).max() ?? firstCommit).timeIntervalSince(firstCommit)
        func percentile(_ sorted: [Double], _ p: Double) -> Double {
            sorted.isEmpty ? 0 : round1(sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))])
        }
        print(
            #"{"published": \#(published), "publish_seconds": \#(round3(publishSeconds)), "deliveries": \#(unique.count), "#
                + #""duplicates": \#(arrivals.count - unique.count), "seconds": \#(round3(seconds)), "#
                + #""deliveries_per_second": \#(round1(Double(unique.count) / max(seconds, 0.001))), "#
                + #""p50_ms": \#(percentile(fromCommit, 0.5)), "p99_ms": \#(percentile(fromCommit, 0.99)), "#
                + #""max_ms": \#(round1(fromCommit.last ?? 0)), "p50_from_event_ms": \#(percentile(fromEvent, 0.5)), "#
                + #""p99_from_event_ms": \#(percentile(fromEvent, 0.99))}"#)
        if unique.count < published {
            throw BenchmarkError(description: "only \(unique.count) of \(published) deliveries arrived within \(timeout) s")
        }
    }

    /// Waits for `expected` deliveries of events that were published before the server
    /// started, and reports how fast they arrived, first to last.
    private func drain(_ expected: Int, _ receiver: DeliveryReceiver) async throws {
        try await receiver.wait(for: expected, timeout: timeout)
        let arrivals = receiver.arrivals
        let unique = Set(arrivals.map(\.eventID)).count
        let times = arrivals.map(\.receivedAt)
        let seconds = (times.max() ?? Date()).timeIntervalSince(times.min() ?? Date())
        print(
            #"{"deliveries": \#(unique), "duplicates": \#(arrivals.count - unique), "seconds": \#(round3(seconds)), "#
                + #""deliveries_per_second": \#(round1(Double(unique) / max(seconds, 0.001)))}"#)
        if unique < expected {
            throw BenchmarkError(description: "only \(unique) of \(expected) deliveries arrived within \(timeout) s")
        }
    }
}
