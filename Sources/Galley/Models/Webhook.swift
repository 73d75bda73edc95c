import Foundation
import GalleyCore

/// A subscription: where to send which events, and whether it is paused.
public struct Webhook: Sendable, Equatable {
    public let id: UUID
    public let url: String
    /// nil: every event type.
    public let eventTypes: [String]?
    public let status: String
    public let pausedReason: String?
    public let consecutiveFailures: Int
    public let createdBy: String
    public let createdAt: Date
    public let updatedAt: Date

    public var isActive: Bool { status == "active" }
}

/// A new webhook and its signing secret, which is shown this once and never again.
public struct CreatedWebhook: Sendable {
    public let webhook: Webhook
    public let secret: String
}

/// One event on its way to one webhook.
public struct WebhookDelivery: Sendable, Equatable {
    public let id: UUID
    public let webhookID: UUID
    public let eventID: Int
    public let eventType: String
    public let articleID: UUID?
    public let status: String
    public let attempts: Int
    public let nextAttemptAt: Date
    public let lastStatus: Int?
    public let lastError: String?
    public let responseExcerpt: String?
    public let redeliveryOf: UUID?
    public let createdAt: Date
    public let updatedAt: Date
}

/// One HTTP attempt of a delivery, as logged.
public struct WebhookAttempt: Sendable, Equatable {
    public let attempt: Int
    public let startedAt: Date
    public let durationMilliseconds: Int
    public let statusCode: Int?
    public let error: String?
    public let responseExcerpt: String?
}

/// How long and how often a failing delivery is retried, and when a subscription is paused.
public struct WebhookRetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// No attempt is made later than this after the event.
    public var retryWindow: TimeInterval
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// Consecutive failed attempts after which the subscription is paused.
    public var pauseAfter: Int

    public init(
        maxAttempts: Int = 12, retryWindow: TimeInterval = 86_400, baseDelay: TimeInterval = 5, maxDelay: TimeInterval = 3_600,
        pauseAfter: Int = 50
    ) {
        self.maxAttempts = maxAttempts
        self.retryWindow = retryWindow
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.pauseAfter = pauseAfter
    }

    /// When to try again after `attempts` failed attempts, or nil to give up: exponential
    /// backoff with full jitter in its upper half, so receivers that recover are not stampeded.
    public func nextAttempt(after attempts: Int, eventAt: Date, now: Date) -> Date? {
        guard attempts < maxAttempts else { return nil }
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(max(0, attempts - 1))))
        let next = now.addingTimeInterval(ceiling * Double.random(in: 0.5...1.0))
        return next.timeIntervalSince(eventAt) <= retryWindow ? next : nil
    }
}
