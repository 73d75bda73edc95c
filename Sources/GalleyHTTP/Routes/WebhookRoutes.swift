import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// Webhook subscriptions and their deliveries (admin).
struct WebhookRoutes {
    let services: GalleyServices

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.post("webhooks", use: create)
        group.get("webhooks", use: list)
        group.get("webhooks/:id", use: show)
        group.patch("webhooks/:id", use: update)
        group.delete("webhooks/:id", use: remove)
        group.get("webhooks/:id/deliveries", use: deliveries)
        group.get("webhooks/:id/deliveries/:delivery_id/attempts", use: attempts)
        group.post("webhooks/:id/deliveries/:delivery_id/redeliver", use: redeliver)
    }

    @Sendable func create(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let (input, body) = try await request.decodeJSON(WebhookInput.self, context: context)
        return try await idempotent(request, context: context, body: body, services: services) {
            let created = try await services.webhooks.create(url: input.url, eventTypes: input.event_types, by: caller)
            return try Reply(.created, WebhookDTO(created.webhook, secret: created.secret))
        }
    }

    @Sendable func list(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        try Reply(.ok, ItemsDTO(items: try await services.webhooks.list(by: try context.requireCaller()).map { WebhookDTO($0) }))
    }

    @Sendable func show(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let id = try request.id("id", context: context, kind: "webhook")
        return try Reply(.ok, WebhookDTO(try await services.webhooks.get(id, by: try context.requireCaller())))
    }

    @Sendable func update(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context, kind: "webhook")
        let (input, _) = try await request.decodeJSON(WebhookPatch.self, context: context)
        var active: Bool?
        switch input.status {
        case nil: break
        case "active": active = true
        case "paused": active = false
        default: throw Problem.invalid("status", "must be active or paused")
        }
        let webhook = try await services.webhooks.update(id, active: active, eventTypes: input.event_types, by: caller)
        return try Reply(.ok, WebhookDTO(webhook))
    }

    @Sendable func remove(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        let id = try request.id("id", context: context, kind: "webhook")
        try await services.webhooks.delete(id, by: try context.requireCaller())
        return Response(status: .noContent)
    }

    @Sendable func deliveries(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let id = try request.id("id", context: context, kind: "webhook")
        let page = try await services.webhooks.deliveries(
            of: id, cursor: request.query("cursor"), limit: try request.limit(), by: try context.requireCaller())
        return try Reply(.ok, ListDTO(items: page.items.map(WebhookDeliveryDTO.init), next_cursor: page.nextCursor))
    }

    @Sendable func attempts(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let id = try request.id("id", context: context, kind: "webhook")
        let deliveryID = try request.id("delivery_id", context: context, kind: "delivery")
        let attempts = try await services.webhooks.attempts(of: deliveryID, webhookID: id, by: try context.requireCaller())
        return try Reply(.ok, ItemsDTO(items: attempts.map(WebhookAttemptDTO.init)))
    }

    @Sendable func redeliver(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let id = try request.id("id", context: context, kind: "webhook")
        let deliveryID = try request.id("delivery_id", context: context, kind: "delivery")
        let delivery = try await services.webhooks.redeliver(deliveryID, of: id, by: try context.requireCaller())
        return try Reply(.accepted, WebhookDeliveryDTO(delivery))
    }
}
