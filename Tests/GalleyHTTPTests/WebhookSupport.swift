import AsyncHTTPClient
import Foundation
import Galley
import GalleyCore
import GalleyHTTP
import Logging
import Postgres

/// Webhook test helpers: a receiver on 127.0.0.1, an API that may call it, and dispatchers.
struct WebhookRoom {
    let api: APIHarness
    let receiver: WebhookReceiver
    let client: HTTPClient

    static let allowLoopback = try! WebhookAddressPolicy(allowList: "127.0.0.1")

    static func with(
        metrics: HTTPMetrics = HTTPMetrics(), tracing: Bool = false, _ body: @Sendable (WebhookRoom) async throws -> Void
    ) async throws {
        let receiver = try await WebhookReceiver.start()
        let client = WebhookDispatcher.makeClient()
        do {
            try await APIHarness.with(webhookPolicy: allowLoopback, metrics: metrics, tracing: tracing) { api in
                try await body(WebhookRoom(api: api, receiver: receiver, client: client))
            }
        } catch {
            try? await client.shutdown()
            await receiver.stop()
            throw error
        }
        try await client.shutdown()
        await receiver.stop()
    }

    /// A slow answer is a failure only in tests that set their own timeout: under a whole run's
    /// load a loopback answer can outlast a short one.
    func dispatcher(pauseAfter: Int = 50, batchSize: Int = 20, timeout: TimeInterval = 30, metrics: HTTPMetrics? = nil) -> WebhookDispatcher {
        var settings = WebhookDispatcher.Settings()
        settings.timeout = timeout
        settings.batchSize = batchSize
        settings.retry = WebhookRetryPolicy(maxAttempts: 100, retryWindow: 600, baseDelay: 0.01, maxDelay: 0.05, pauseAfter: pauseAfter)
        return WebhookDispatcher(services: api.services, settings: settings, metrics: metrics, logger: TestRunLog.logger("dispatcher"))
    }

    /// Runs the dispatcher until `done` holds, for at most 90 seconds: room for a loaded run,
    /// and longer than an attempt's timeout, so one answer stalled under load is retried in it.
    func drain(_ dispatcher: WebhookDispatcher, until done: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        while try await !done() {
            guard ContinuousClock.now < deadline else { throw HarnessError("the dispatcher did not get there in time") }
            if await dispatcher.deliverDue(client: client) == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Subscribes the receiver; returns the webhook's id and secret.
    func subscribe(_ types: [String]? = ["article.published"]) async throws -> (id: String, secret: String) {
        var body: [String: JSONValue] = ["url": .string(receiver.url)]
        if let types { body["event_types"] = .array(types.map(JSONValue.string)) }
        let reply = try await api.call(.post, "/v1/webhooks", as: "ada", json: .object(body))
        guard reply.status == .created, let id = reply.json["id"]?.stringValue, let secret = reply.json["secret"]?.stringValue else {
            throw HarnessError("subscribe failed: \(reply.status) \(reply.text)")
        }
        return (id, secret)
    }

    /// A human article in `world` taken from draft to published over the API.
    func publishArticle(title: String? = nil) async throws -> String {
        try await api.publishArticle(title: title).id
    }

    func count(_ sql: SQL) async throws -> Int {
        try await api.pool.query(sql)[0].decode(at: 0)
    }
}
