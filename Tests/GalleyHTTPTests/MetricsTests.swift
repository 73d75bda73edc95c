import CoreMetrics
import Foundation
import Galley
import GalleyCore
import TestSupport
import Testing

@testable import GalleyHTTP

/// `/metrics` beyond the request counts: the database, the read cache, the domain's outcomes,
/// the queue, the audit log, webhooks, and whatever libraries report through swift-metrics.
@Suite(.ownTransactionHorizon) struct MetricsTests {
    /// The value of the first sample of `name` whose labels include every one of `labels`.
    private static func sample(_ text: String, _ name: String, _ labels: [String] = []) -> Double? {
        text.split(separator: "\n").first { line in
            !line.hasPrefix("#") && (line.hasPrefix(name + "{") || line.hasPrefix(name + " ")) && labels.allSatisfy(line.contains)
        }.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    @Test func metricsShowTheDatabaseTheCacheTheOutcomesTheQueueAndTheAuditLog() async throws {
        let metrics = HTTPMetrics()
        try await APIHarness.with(webhookPolicy: try WebhookAddressPolicy(allowList: "127.0.0.1"), metrics: metrics) { api in
            _ = try await api.call(.post, "/v1/webhooks", as: "ada", json: ["url": "http://127.0.0.1:9/galley"])
            let id = try await api.createArticle()
            try await api.call(.get, "/v1/articles/\(id)", as: "eddie")
            try await api.call(.get, "/v1/articles/\(id)", as: "eddie")
            #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            #expect(try await api.transition(id, "publish", as: "eddie").status == .conflict)
            let verdict = try await api.call(
                .post, "/v1/articles/\(id)/checkpoints", as: "fiona",
                json: ["checkpoint": "source_check", "verdict": "passed", "revision": 1, "note": "ok"])
            #expect(verdict.status == .created || verdict.status == .ok, "\(verdict.text)")
            _ = try await api.services.audit.seal()

            let text = try await api.call(.get, "/metrics", as: nil).text
            #expect((Self.sample(text, "galley_db_round_trip_duration_seconds_count", [#"statement="SELECT"#]) ?? 0) > 0, "\(text)")
            #expect((Self.sample(text, "galley_db_round_trip_duration_seconds_count", [#"statement="BEGIN + "#]) ?? 0) > 0)
            #expect((Self.sample(text, "galley_db_pool_wait_duration_seconds_count") ?? 0) > 0)
            #expect((Self.sample(text, "galley_read_cache_lookups_total", [#"cache="details""#, #"result="hit""#]) ?? 0) >= 1)
            // A token is looked up in memory before its first use is confirmed, and not found.
            #expect((Self.sample(text, "galley_read_cache_lookups_total", [#"cache="tokens""#, #"result="miss""#]) ?? 0) >= 1)
            #expect(Self.sample(text, "galley_article_transitions_total", [#"action="submit""#, #"outcome="applied""#]) == 1)
            #expect(Self.sample(text, "galley_article_transitions_total", [#"action="publish""#, #"outcome="refused""#]) == 1)
            #expect(Self.sample(text, "galley_review_verdicts_total", [#"verdict="passed""#, #"outcome="applied""#]) == 1)
            // In review, source_check passed: approval is the step that waits.
            #expect(Self.sample(text, "galley_queue_open_steps", [#"step="approval""#]) == 1, "\(text)")
            #expect((Self.sample(text, "galley_audit_log_length_events") ?? 0) >= 4)
            #expect((Self.sample(text, "galley_audit_seal_age_seconds") ?? -1) >= 0)
            #expect((Self.sample(text, "galley_webhook_backlog_deliveries") ?? 0) >= 1)
            #expect((Self.sample(text, "galley_webhook_oldest_undelivered_age_seconds") ?? -1) >= 0)
            // No parameter's value names a series.
            #expect(!text.contains(id))

            // Counters only grow, scrape after scrape.
            _ = try await api.transition(id, "publish", as: "eddie")
            let again = try await api.call(.get, "/metrics", as: nil).text
            #expect(Self.sample(again, "galley_article_transitions_total", [#"action="publish""#, #"outcome="refused""#]) == 2)
            #expect(Self.sample(again, "galley_article_transitions_total", [#"action="submit""#, #"outcome="applied""#]) == 1)
        }
    }

    @Test func webhookAttemptsAreCountedByOutcomeWithTheirLag() async throws {
        let metrics = HTTPMetrics()
        try await WebhookRoom.with(metrics: metrics) { room in
            _ = try await room.subscribe()
            room.receiver.answer(.internalServerError)
            let dispatcher = room.dispatcher(metrics: metrics)
            _ = try await room.publishArticle()
            try await room.drain(dispatcher) { room.receiver.received.count >= 1 }
            room.receiver.answer(.ok)
            try await room.drain(dispatcher) { room.receiver.received.count >= 2 }
            let text = metrics.registry.emitToString()
            #expect((Self.sample(text, "galley_webhook_attempts_total", [#"outcome="failed""#]) ?? 0) >= 1, "\(text)")
            #expect(Self.sample(text, "galley_webhook_attempts_total", [#"outcome="delivered""#]) == 1)
            #expect(Self.sample(text, "galley_webhook_delivery_lag_seconds_count") == 1)
        }
    }

    @Test func whatLibrariesReportThroughSwiftMetricsAppearOnTheServersMetrics() throws {
        let metrics = HTTPMetrics.forProcess()
        #expect(HTTPMetrics.forProcess().registry === metrics.registry)
        Counter(label: "library_made_requests_total", dimensions: [("library", "example")]).increment(by: 2)
        #expect(Self.sample(metrics.registry.emitToString(), "library_made_requests_total", [#"library="example""#]) == 2)
    }
}
