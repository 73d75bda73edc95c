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
            article.published delivery has arrived. The latency of a delivery is its arrival time \
            minus the event's time (the `time` field of the body: when the publishing transaction \
            started). Prints one JSON line: {"published", "publish_seconds", "deliveries", \
            "duplicates", "seconds", "deliveries_per_second", "p50_ms", "p99_ms", "max_ms"}.
            """
    )

    @Option(help: "libpq URL or key=value string; empty uses the PG* environment variables.")
    var connection = ""

    @Option(help: "File with the ids of approved articles, one a line.")
    var ids: String

    @Option(help: "Port for the receiver on 127.0.0.1; the webhook must point at http://127.0.0.1:PORT/hooks.")
    var port: Int

    @Option(help: "Concurrent publishers; also the pool's size.")
    var workers = 4

    @Option(help: "Articles per publish batch.")
    var batch = 50

    @Option(help: "Give up waiting for deliveries after this many seconds.")
    var timeout = 120

    func validate() throws {
        guard workers >= 1, batch >= 1, timeout >= 1 else { throw ValidationError("--workers, --batch and --timeout must be at least 1") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
    }

    func run() async throws {
        let articleIDs = try String(contentsOfFile: ids, encoding: .utf8).split(separator: "\n").map { line in
            guard let id = UUID(uuidString: String(line)) else { throw ValidationError("not an id in \(ids): \(line)") }
            return id
        }
        let receiver = try await DeliveryReceiver.start(port: port)
        let pool = PostgresPool(configuration: .init(connectionString: connection, maxConnections: workers))
        let services = GalleyServices(pool: pool)
        let publisher = try await BenchCast.prepare(services).publisher
        _ = try await inParallel(workers) { _ in try await pool.withConnection { try $0.runScript("SELECT 1") } }

        let chunks = stride(from: 0, to: articleIDs.count, by: batch).map { Array(articleIDs[$0..<min($0 + batch, articleIDs.count)]) }
        let next = Atomic<Int>(0)
        let start = Date()
        let published = try await inParallel(workers) { _ in
            var published = 0
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                if index >= chunks.count { return published }
                let result = try await services.publishing.publish(chunks[index], atomic: false, by: publisher)
                published += result.results.filter { $0.status == .published }.count
            }
        }.reduce(0, +)
        let publishSeconds = Date().timeIntervalSince(start)
        await pool.close()

        let deadline = Date().addingTimeInterval(Double(timeout))
        while receiver.uniqueCount < published, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        // Anything still arriving now would be a duplicate; give it a moment to show.
        try await Task.sleep(for: .milliseconds(500))
        await receiver.stop()

        let arrivals = receiver.arrivals
        let unique = Dictionary(arrivals.map { ($0.eventID, $0) }, uniquingKeysWith: { first, _ in first }).values
        let latencies = unique.map { $0.receivedAt.timeIntervalSince($0.eventTime) * 1000 }.sorted()
        let last = unique.map(\.receivedAt).max() ?? start
        let seconds = last.timeIntervalSince(start)
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)]
        }
        print(
            #"{"published": \#(published), "publish_seconds": \#(round3(publishSeconds)), "deliveries": \#(unique.count), "#
                + #""duplicates": \#(arrivals.count - unique.count), "seconds": \#(round3(seconds)), "#
                + #""deliveries_per_second": \#(round1(Double(unique.count) / max(seconds, 0.001))), "#
                + #""p50_ms": \#(round1(percentile(0.50))), "p99_ms": \#(round1(percentile(0.99))), "max_ms": \#(round1(latencies.last ?? 0))}"#)
        if unique.count < published {
            throw BenchmarkError(description: "only \(unique.count) of \(published) deliveries arrived within \(timeout) s")
        }
    }
}
