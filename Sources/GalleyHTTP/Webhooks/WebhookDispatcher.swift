import AsyncHTTPClient
import Foundation
import Galley
import GalleyCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Sends webhook deliveries: claims due ones from the outbox, POSTs each signed body, and
/// records the attempt. Several servers may run it at once; see docs/events.md.
public struct WebhookDispatcher: Service {
    public struct Settings: Sendable {
        /// Longest pause between polls when nothing was due (retries fall due without a
        /// notification); a new event wakes the dispatcher at once.
        public var interval: Duration = .milliseconds(500)
        public var batchSize = 20
        /// Batches in flight at once, each claimed separately (`SKIP LOCKED` keeps them apart).
        public var concurrentBatches = 3
        /// Per request, connecting included.
        public var timeout: TimeInterval = 10
        public var retry = WebhookRetryPolicy()
        public init() {}
    }

    let services: GalleyServices
    let settings: Settings
    let logger: Logger
    /// Wakes idle loops when an event is recorded (`NOTIFY galley_events`); without it they poll.
    let notifier: EventNotifier?

    public init(services: GalleyServices, settings: Settings = Settings(), notifier: EventNotifier? = nil, logger: Logger) {
        self.services = services
        self.settings = settings
        self.notifier = notifier
        self.logger = logger
    }

    /// A client that never follows redirects: a redirect could point at an address the
    /// destination check refuses.
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(5))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run() async throws {
        let client = Self.makeClient()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<max(1, settings.concurrentBatches) {
                    group.addTask { await deliverUntilCancelled(client: client) }
                }
            }
        }
        try await client.shutdown()
    }

    private func deliverUntilCancelled(client: HTTPClient) async {
        while !Task.isCancelled {
            // Read before claiming, so an event recorded during the claim is not slept through.
            let seen = notifier?.current
            let sent = await deliverDue(client: client)
            if sent > 0 { continue }
            if let notifier, let seen {
                await notifier.wait(after: seen, timeout: settings.interval)
            } else {
                try? await Task.sleep(for: settings.interval)
            }
        }
    }

    /// Claims one batch of due deliveries and sends them concurrently; returns how many.
    @discardableResult
    public func deliverDue(client: HTTPClient) async -> Int {
        let lease = settings.timeout * 3 + 30
        let claimed: [WebhookOutbox.Claimed]
        do {
            claimed = try await services.outbox.claim(limit: settings.batchSize, lease: lease)
        } catch {
            logger.warning("could not claim webhook deliveries; will retry", metadata: ["error": "\(error)"])
            return 0
        }
        await withTaskGroup(of: Void.self) { group in
            for delivery in claimed {
                group.addTask { await deliver(delivery, client: client) }
            }
        }
        return claimed.count
    }

    private func deliver(_ claimed: WebhookOutbox.Claimed, client: HTTPClient) async {
        let started = Date()
        let clock = ContinuousClock.now
        var outcome: WebhookOutbox.Outcome
        do {
            try await WebhookDestination.check(claimed.url, policy: services.environment.webhookPolicy)
            let body = try await body(of: claimed)
            let (status, excerpt) = try await send(body, for: claimed, client: client)
            outcome = .init(startedAt: started, durationMilliseconds: 0, statusCode: status, error: nil, responseExcerpt: excerpt)
        } catch let error as GalleyError {
            outcome = .init(startedAt: started, durationMilliseconds: 0, statusCode: nil, error: error.message, responseExcerpt: nil)
        } catch {
            outcome = .init(startedAt: started, durationMilliseconds: 0, statusCode: nil, error: "\(error)", responseExcerpt: nil)
        }
        let elapsed = ContinuousClock.now - clock
        outcome.durationMilliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        logger.info(
            "webhook attempt",
            metadata: [
                "delivery": "\(claimed.id.uuidString.lowercased())", "webhook": "\(claimed.webhookID.uuidString.lowercased())",
                "event": "\(claimed.eventType)", "attempt": "\(claimed.attempt)", "status": "\(outcome.statusCode.map(String.init) ?? "-")",
                "duration_ms": "\(outcome.durationMilliseconds)", "error": "\(outcome.error ?? "")",
            ])
        do {
            if try await services.outbox.record(outcome, for: claimed, policy: settings.retry) {
                logger.warning("webhook paused after repeated failures", metadata: ["webhook": "\(claimed.webhookID.uuidString.lowercased())"])
            }
        } catch {
            logger.warning("could not record a webhook attempt; the lease will expire and it is retried", metadata: ["error": "\(error)"])
        }
    }

    /// The delivery's body: fixed at the first attempt so every retry signs the same bytes.
    private func body(of claimed: WebhookOutbox.Claimed) async throws -> String {
        if let body = claimed.body { return body }
        let article = try await claimed.articleID.asyncMap { try await services.outbox.article($0) } ?? nil
        let event = WebhookEventBody(claimed.payload, article: article)
        let rendered = String(decoding: try WireJSON.encoder.encode(event), as: UTF8.self)
        return try await services.outbox.fix(body: rendered, of: claimed.id)
    }

    private func send(_ body: String, for claimed: WebhookOutbox.Claimed, client: HTTPClient) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: claimed.url)
        request.method = .POST
        let timestamp = Int(Date().timeIntervalSince1970)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Galley-Webhooks/1")
        request.headers.add(name: "Galley-Event", value: claimed.eventType)
        request.headers.add(name: "Galley-Delivery", value: claimed.id.uuidString.lowercased())
        request.headers.add(name: "Galley-Signature", value: WebhookSignature.header(secret: claimed.secret, timestamp: timestamp, body: Data(body.utf8)))
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .milliseconds(Int64(settings.timeout * 1000)))
        var excerpt = ByteBuffer()
        for try await chunk in response.body {
            var chunk = chunk
            excerpt.writeBuffer(&chunk)
            if excerpt.readableBytes >= 1024 { break }
        }
        return (Int(response.status.code), String(decoding: excerpt.readableBytesView.prefix(1024), as: UTF8.self))
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
