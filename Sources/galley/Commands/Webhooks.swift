import ArgumentParser
import Foundation
import Galley
import GalleyCore

struct Webhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage webhook subscriptions (runs as the database operator).",
        discussion: "Deliveries are sent by `galley serve`; docs/events.md explains signatures and retries.",
        subcommands: [Add.self, List.self, Pause.self, Resume.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscribe a URL; prints the signing secret once.")

        @Argument(help: "An http or https URL. Private addresses need GALLEY_WEBHOOK_ALLOW.")
        var url: String

        @Option(name: .customLong("event"), help: ArgumentHelp("An event type to send; repeat for several (default: all).", valueName: "type"))
        var events: [String] = []

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let created = try await Session.with { session in
                try await session.services.webhooks.create(url: url, eventTypes: events.isEmpty ? nil : events, by: session.operatorCaller)
            }
            if output.json { return try Output.json(WebhookView(created.webhook, secret: created.secret)) }
            Output.line("Created webhook \(created.webhook.id.uuidString.lowercased()) for \(created.webhook.url).")
            Output.line("Secret (shown once; receivers verify Galley-Signature with it): \(created.secret)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List webhooks with their state and failure count.")

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let hooks = try await Session.with { session in try await session.services.webhooks.list(by: session.operatorCaller) }
            if output.json { return try Output.json(hooks.map { WebhookView($0) }) }
            Output.table(
                ["id", "url", "events", "status", "failures"],
                hooks.map {
                    [
                        $0.id.uuidString.lowercased(), $0.url, $0.eventTypes?.joined(separator: ",") ?? "all", $0.status,
                        String($0.consecutiveFailures),
                    ]
                })
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop sending; deliveries wait until resumed.")
        @Argument(help: "The webhook's id.") var id: UUID
        @OptionGroup var output: OutputOptions
        func run() async throws { try await Webhooks.set(id, active: false, output: output) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send again, starting with the waiting deliveries.")
        @Argument(help: "The webhook's id.") var id: UUID
        @OptionGroup var output: OutputOptions
        func run() async throws { try await Webhooks.set(id, active: true, output: output) }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a webhook and its deliveries.")
        @Argument(help: "The webhook's id.") var id: UUID

        func run() async throws {
            try await Session.with { session in try await session.services.webhooks.delete(id, by: session.operatorCaller) }
            Output.line("Removed webhook \(id.uuidString.lowercased()).")
        }
    }

    static func set(_ id: UUID, active: Bool, output: OutputOptions) async throws {
        let webhook = try await Session.with { session in
            try await session.services.webhooks.update(id, active: active, eventTypes: nil, by: session.operatorCaller)
        }
        if output.json { return try Output.json(WebhookView(webhook)) }
        Output.line("Webhook \(webhook.id.uuidString.lowercased()) is \(webhook.status).")
    }
}

struct WebhookView: Encodable {
    @LowercaseUUID var id: UUID
    let url: String
    let eventTypes: [String]?
    let status: String
    let pausedReason: String?
    let consecutiveFailures: Int
    let createdAt: Date
    let secret: String?

    init(_ webhook: Webhook, secret: String? = nil) {
        id = webhook.id
        url = webhook.url
        eventTypes = webhook.eventTypes
        status = webhook.status
        pausedReason = webhook.pausedReason
        consecutiveFailures = webhook.consecutiveFailures
        createdAt = webhook.createdAt
        self.secret = secret
    }
    private enum CodingKeys: String, CodingKey {
        case id, url
        case eventTypes = "event_types"
        case status
        case pausedReason = "paused_reason"
        case consecutiveFailures = "consecutive_failures"
        case createdAt = "created_at"
        case secret
    }
}
