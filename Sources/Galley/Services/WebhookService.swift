import Crypto
import Foundation
import GalleyCore
import Postgres

/// Webhook subscriptions (admin only). Deliveries are written by the database when events
/// happen and sent by the dispatcher of `galley serve`; see docs/events.md.
public struct WebhookService: Sendable {
    let env: GalleyEnvironment

    public func create(url: String, eventTypes: [String]?, by caller: Caller) async throws -> CreatedWebhook {
        try caller.principal.require(.manageWebhooks)
        let types = try Self.validated(eventTypes)
        // The destination check resolves a host the caller names: only for a confirmed caller.
        try await env.confirm(caller.credential)
        try await WebhookDestination.check(url, policy: env.webhookPolicy)
        let id = env.newID()
        let now = env.now()
        let secret = Self.newSecret()
        let webhook = try await env.transaction { conn in
            let webhook = try WebhookStore.insert(conn, id: id, url: url, eventTypes: types, secret: secret, by: caller.principal.name, at: now)
            try AuditStore.append(conn, Self.event("webhook.created", webhook, caller: caller, at: now))
            return webhook
        }
        return CreatedWebhook(webhook: webhook, secret: secret)
    }

    public func list(by caller: Caller) async throws -> [Webhook] {
        try caller.principal.require(.manageWebhooks)
        return try await env.read { conn in try WebhookStore.list(conn) }
    }

    public func get(_ id: UUID, by caller: Caller) async throws -> Webhook {
        try caller.principal.require(.manageWebhooks)
        return try await env.read { conn in try WebhookStore.fetch(conn, id: id) }
    }

    /// Pauses (`active: false`) or resumes a subscription, and/or replaces its event types
    /// (`.some(nil)`: every type). Resuming clears the failure count; pending deliveries go out.
    public func update(_ id: UUID, active: Bool?, eventTypes: [String]??, by caller: Caller) async throws -> Webhook {
        try caller.principal.require(.manageWebhooks)
        var types: [String]??
        if let eventTypes { types = .some(try Self.validated(eventTypes)) }
        let now = env.now()
        let frozen = types
        return try await env.transaction { conn in
            let webhook = try WebhookStore.update(conn, id: id, active: active, eventTypes: frozen, at: now)
            try AuditStore.append(conn, Self.event("webhook.updated", webhook, caller: caller, at: now))
            return webhook
        }
    }

    public func delete(_ id: UUID, by caller: Caller) async throws {
        try caller.principal.require(.manageWebhooks)
        let now = env.now()
        try await env.transaction { conn in
            let webhook = try WebhookStore.delete(conn, id: id)
            try AuditStore.append(conn, Self.event("webhook.deleted", webhook, caller: caller, at: now))
        }
    }

    /// The newest deliveries first; `cursor` is the previous page's `nextCursor`.
    public func deliveries(of id: UUID, cursor: String?, limit: Int, by caller: Caller) async throws -> (
        items: [WebhookDelivery], nextCursor: String?
    ) {
        try caller.principal.require(.manageWebhooks)
        let before =
            try cursor.map { text in
                guard let value = Int(text), value > 0 else {
                    throw GalleyError.validation([.init(field: "cursor", message: "is not a cursor this server sent")])
                }
                return value
            } ?? Int.max
        let rows = try await env.read { conn in
            _ = try WebhookStore.fetch(conn, id: id)
            return try WebhookStore.deliveries(conn, webhookID: id, beforeSeq: before, limit: limit)
        }
        return (rows.map(\.1), rows.count == limit ? rows.last.map { String($0.0) } : nil)
    }

    /// Every HTTP attempt of one delivery, oldest first.
    public func attempts(of deliveryID: UUID, webhookID: UUID, by caller: Caller) async throws -> [WebhookAttempt] {
        try caller.principal.require(.manageWebhooks)
        return try await env.read { conn in
            guard try WebhookStore.deliveryExists(conn, id: deliveryID, webhookID: webhookID) else {
                throw GalleyError.notFound(kind: "delivery", id: deliveryID.uuidString.lowercased())
            }
            return try WebhookStore.attempts(conn, deliveryID: deliveryID)
        }
    }

    /// Sends a delivery again, as a new delivery with the same event id and body.
    public func redeliver(_ deliveryID: UUID, of webhookID: UUID, by caller: Caller) async throws -> WebhookDelivery {
        try caller.principal.require(.manageWebhooks)
        let now = env.now()
        return try await env.transaction { conn in
            let webhook = try WebhookStore.fetch(conn, id: webhookID)
            let delivery = try WebhookStore.redeliver(conn, webhookID: webhookID, deliveryID: deliveryID, at: now)
            var entry = Self.event("webhook.redelivered", webhook, caller: caller, at: now)
            entry.details = [
                "webhook_id": .string(webhookID.uuidString.lowercased()),
                "delivery_id": .string(delivery.id.uuidString.lowercased()),
                "redelivery_of": .string(deliveryID.uuidString.lowercased()),
            ]
            try AuditStore.append(conn, entry)
            return delivery
        }
    }

    static func validated(_ types: [String]?) throws -> [String]? {
        guard let types else { return nil }
        let unknown = types.filter { !WebhookEventType.all.contains($0) }
        if types.isEmpty || !unknown.isEmpty {
            throw GalleyError.validation([
                .init(
                    field: "event_types",
                    message: (types.isEmpty ? "must name at least one type" : "has unknown types \(unknown.joined(separator: ", "))")
                        + "; known: \(WebhookEventType.all.joined(separator: ", ")), or leave it out for all")
            ])
        }
        return Array(Set(types)).sorted()
    }

    /// The audit record of a change to a subscription. Of the URL it keeps only the scheme,
    /// host and port (`destination`): a path or query may carry the receiver's secret, and
    /// more than admins read the audit log.
    static func event(_ action: String, _ webhook: Webhook, caller: Caller, at now: Date) -> AuditEntry {
        AuditEntry(
            chain: AuditEntry.systemChain, principal: caller.principal, action: action,
            details: [
                "webhook_id": .string(webhook.id.uuidString.lowercased()), "destination": .string(destination(of: webhook.url)),
                "status": .string(webhook.status),
                "event_types": webhook.eventTypes.map { .array($0.map(JSONValue.string)) } ?? .null,
            ],
            requestID: caller.requestID, at: now)
    }

    /// `scheme://host[:port]` of a URL, lower-cased: where it points, without what it carries.
    static func destination(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return "" }
        return "\(scheme.lowercased())://\(host.lowercased())" + (components.port.map { ":\($0)" } ?? "")
    }

    /// `whsec_` and 256 random bits in hex.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
