import AsyncHTTPClient
import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Tracing

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
        /// The whole attempt: resolving, connecting, sending, and reading the answer's head
        /// and its excerpt. A receiver that stalls anywhere fails the attempt at this deadline.
        public var timeout: TimeInterval = 10
        public var retry = WebhookRetryPolicy()
        public init() {}
    }

    let services: GalleyServices
    let settings: Settings
    let logger: Logger
    /// Wakes idle loops when an event is recorded (`NOTIFY galley_events`); without it they poll.
    let notifier: EventNotifier?
    let metrics: WebhookMetrics?

    public init(
        services: GalleyServices, settings: Settings = Settings(), notifier: EventNotifier? = nil, metrics: HTTPMetrics? = nil, logger: Logger
    ) {
        self.services = services
        self.settings = settings
        self.notifier = notifier
        self.metrics = metrics?.webhooks
        self.logger = logger
    }

    /// A client that never follows redirects: a redirect could point at an address the
    /// destination check refuses. It makes no spans of its own: `webhook.deliver` is the
    /// attempt's client span, and its `traceparent` the only one sent (two would be invalid).
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(5))
        configuration.tracing.tracer = nil
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
        if claimed.isEmpty { return 0 }
        let bodies = await bodies(of: claimed)
        let outcomes = await withTaskGroup(of: (WebhookOutbox.Claimed, WebhookOutbox.Outcome).self) { group in
            for delivery in claimed {
                let body: Result<String, any Error> = bodies[delivery.id] ?? .failure(BodyError.missingBody)
                group.addTask { (delivery, await attempt(delivery, body: body, client: client)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        await record(outcomes)
        return claimed.count
    }

    private enum BodyError: Error, CustomStringConvertible {
        case missingBody
        var description: String { "the delivery's body could not be prepared" }
    }

    /// Each delivery's body: fixed at its first attempt so every retry signs the same bytes.
    /// The article of each new delivery is read as it is now (concurrently), and the batch's
    /// bodies are stored in one statement.
    private func bodies(of claimed: [WebhookOutbox.Claimed]) async -> [UUID: Result<String, any Error>] {
        var bodies: [UUID: Result<String, any Error>] = [:]
        for delivery in claimed { if let body = delivery.body { bodies[delivery.id] = .success(body) } }
        let fresh = claimed.filter { $0.body == nil }
        if fresh.isEmpty { return bodies }
        let rendered = await withTaskGroup(of: (UUID, Result<String, any Error>).self) { group in
            for delivery in fresh {
                group.addTask {
                    do {
                        let article = try await delivery.articleID.asyncMap { try await services.outbox.article($0) } ?? nil
                        let event = WebhookEventBody(delivery.payload, article: article)
                        return (delivery.id, .success(String(decoding: try WireJSON.encoder.encode(event), as: UTF8.self)))
                    } catch {
                        return (delivery.id, .failure(error))
                    }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        var toFix: [(UUID, String)] = []
        for (id, result) in rendered {
            switch result {
            case .success(let body): toFix.append((id, body))
            case .failure: bodies[id] = result
            }
        }
        do {
            for (id, body) in try await services.outbox.fix(bodies: toFix) { bodies[id] = .success(body) }
        } catch {
            for (id, _) in toFix { bodies[id] = .failure(error) }
        }
        return bodies
    }

    /// One HTTP attempt, with its outcome logged; a span when tracing is on, in the trace of
    /// the change that caused the event (`DeliveryTrace`), whose `traceparent` the receiver gets.
    private func attempt(_ claimed: WebhookOutbox.Claimed, body: Result<String, any Error>, client: HTTPClient) async -> WebhookOutbox.Outcome {
        await withSpan("webhook.deliver", context: DeliveryTrace.context(of: claimed), ofKind: .client) { span in
            span.attributes["galley.webhook.event"] = claimed.eventType
            span.attributes["galley.webhook.attempt"] = claimed.attempt
            let outcome = await attemptInSpan(claimed, body: body, client: client)
            if let status = outcome.statusCode { span.attributes["http.response.status_code"] = status }
            if !outcome.succeeded { span.setStatus(SpanStatus(code: .error)) }
            return outcome
        }
    }

    private func attemptInSpan(_ claimed: WebhookOutbox.Claimed, body: Result<String, any Error>, client: HTTPClient) async -> WebhookOutbox.Outcome {
        let started = Date()
        let clock = ContinuousClock.now
        var outcome: WebhookOutbox.Outcome
        do {
            let deadline = Duration.milliseconds(Int64(settings.timeout * 1000))
            let (status, excerpt) = try await withDeadline(deadline, timedOn: client.eventLoopGroup.any()) {
                try await WebhookDestination.check(claimed.url, policy: services.environment.webhookPolicy)
                return try await send(try body.get(), for: claimed, client: client, within: deadline)
            }
            outcome = .init(startedAt: started, durationMilliseconds: 0, statusCode: status, error: nil, responseExcerpt: excerpt)
        } catch let error as GalleyError {
            outcome = .init(startedAt: started, durationMilliseconds: 0, statusCode: nil, error: error.message, responseExcerpt: nil)
        } catch {
            outcome = .init(startedAt: started, durationMilliseconds: 0, statusCode: nil, error: "\(error)", responseExcerpt: nil)
        }
        let elapsed = ContinuousClock.now - clock
        outcome.durationMilliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        metrics?.attempted(delivered: outcome.succeeded, lag: .seconds(Date().timeIntervalSince(claimed.eventAt)))
        logger.info(
            "webhook attempt",
            metadata: [
                "delivery": "\(claimed.id.uuidString.lowercased())", "webhook": "\(claimed.webhookID.uuidString.lowercased())",
                "event": "\(claimed.eventType)", "attempt": "\(claimed.attempt)", "status": "\(outcome.statusCode.map(String.init) ?? "-")",
                "duration_ms": "\(outcome.durationMilliseconds)", "error": "\(outcome.error ?? "")",
            ])
        return outcome
    }

    /// Records the batch's attempts: the successes together (each on its own when that
    /// fails), each failure on its own (it may back off, fail for good, or pause its webhook).
    private func record(_ outcomes: [(WebhookOutbox.Claimed, WebhookOutbox.Outcome)]) async {
        let succeeded = outcomes.filter { $0.1.succeeded }
        for (claimed, error) in await services.outbox.recordSuccesses(succeeded) {
            logger.warning(
                "could not record a webhook attempt; the lease will expire and it is retried",
                metadata: ["delivery": "\(claimed.id.uuidString.lowercased())", "error": "\(error)"])
        }
        for (claimed, outcome) in outcomes where !outcome.succeeded {
            do {
                if try await services.outbox.recordFailure(outcome, for: claimed, policy: settings.retry) {
                    logger.warning("webhook paused after repeated failures", metadata: ["webhook": "\(claimed.webhookID.uuidString.lowercased())"])
                }
            } catch {
                logger.warning("could not record a webhook attempt; the lease will expire and it is retried", metadata: ["error": "\(error)"])
            }
        }
    }

    /// POSTs the body and reads the status and at most `WebhookOutbox.excerptBytes` of the answer.
    private func send(
        _ body: String, for claimed: WebhookOutbox.Claimed, client: HTTPClient, within deadline: Duration
    ) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: claimed.url)
        request.method = .POST
        let timestamp = Int(Date().timeIntervalSince1970)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Galley-Webhooks/1")
        request.headers.add(name: "Galley-Event", value: claimed.eventType)
        request.headers.add(name: "Galley-Delivery", value: claimed.id.uuidString.lowercased())
        request.headers.add(
            name: "Galley-Signature", value: WebhookSignature.header(secret: claimed.secret, timestamp: timestamp, body: Data(body.utf8)))
        request.body = .bytes(ByteBuffer(string: body))
        if let context = ServiceContext.current {
            InstrumentationSystem.instrument.inject(context, into: &request.headers, using: HTTPHeadersInjector())
        }
        let response = try await client.execute(
            request,
            timeout: .nanoseconds(
                Int64(deadline.components.seconds) * 1_000_000_000
                    + deadline.components.attoseconds / 1_000_000_000))
        var excerpt = ByteBuffer()
        for try await chunk in response.body {
            var chunk = chunk
            excerpt.writeBuffer(&chunk)
            if excerpt.readableBytes >= WebhookOutbox.excerptBytes { break }
        }
        return (Int(response.status.code), String(decoding: excerpt.readableBytesView.prefix(WebhookOutbox.excerptBytes), as: UTF8.self))
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// Writes a trace's headers (`traceparent`, `tracestate`) into an outgoing request.
private struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: key, value: value)
    }
}
