import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

/// Moves one article through the workflow as the acting actor and reports where it stands.
enum Transition {
    static func perform(
        _ request: TransitionService.Request, on id: UUID, actor: ActorOptions, output: OutputOptions
    ) async throws {
        let detail = try await Session.with { session in
            try await session.services.transitions.perform(request, on: id, by: session.caller(actor))
        }
        if output.json { return try Output.json(ArticleDTO(detail)) }
        Output.line("\(id.uuidString.lowercased()) is now \(detail.article.state.rawValue).")
    }
}

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send a draft to review (draft → in_review).")
    @Argument(help: "The article's id.") var id: UUID
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    func run() async throws { try await Transition.perform(.init(.submit), on: id, actor: actor, output: output) }
}

struct Approve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Approve the current revision (in_review → approved); needs every checkpoint passed and four eyes.")
    @Argument(help: "The article's id.") var id: UUID
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    func run() async throws { try await Transition.perform(.init(.approve), on: id, actor: actor, output: output) }
}

struct RequestChanges: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send an article back to its author (in_review → draft).")
    @Argument(help: "The article's id.") var id: UUID
    @Option(help: "What needs to change.") var reason: String
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    func run() async throws {
        try await Transition.perform(.init(.requestChanges, reason: reason), on: id, actor: actor, output: output)
    }
}

struct Schedule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Schedule an approved article (approved → scheduled).")
    @Argument(help: "The article's id.") var id: UUID
    @Option(help: ArgumentHelp("When to publish, RFC 3339, e.g. 2026-12-01T09:00:00Z.", valueName: "time")) var at: Date
    @Option(help: "The public correction note it will be published with, needed when changed text was live before.")
    var correctionNote: String?
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    func run() async throws {
        try await Transition.perform(.init(.schedule, publishAt: at, correctionNote: correctionNote), on: id, actor: actor, output: output)
    }
}

struct Unschedule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a schedule (scheduled → approved).")
    @Argument(help: "The article's id.") var id: UUID
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    func run() async throws { try await Transition.perform(.init(.unschedule), on: id, actor: actor, output: output) }
}

struct Unpublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take a published article down (published → unpublished).")
    @Argument(help: "The article's id.") var id: UUID
    @Option(help: "Why it comes down.") var reason: String
    @Option(help: "A public notice.") var notice: String?
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    func run() async throws {
        try await Transition.perform(.init(.unpublish, reason: reason, notice: notice), on: id, actor: actor, output: output)
    }
}

struct Retract: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Retract an article for good (published or unpublished → retracted); needs a public notice.")
    @Argument(help: "The article's id.") var id: UUID
    @Option(help: "Why it is retracted.") var reason: String
    @Option(help: "The public retraction notice.") var notice: String?
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    func run() async throws {
        try await Transition.perform(.init(.retract, reason: reason, notice: notice), on: id, actor: actor, output: output)
    }
}

struct Spike: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Kill an article that was never published (→ spiked).")
    @Argument(help: "The article's id.") var id: UUID
    @Option(help: "Why it is spiked.") var reason: String
    @Option(help: "A note kept with it.") var notice: String?
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    func run() async throws {
        try await Transition.perform(.init(.spike, reason: reason, notice: notice), on: id, actor: actor, output: output)
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring a spiked article back (spiked → draft).")
    @Argument(help: "The article's id.") var id: UUID
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    func run() async throws { try await Transition.perform(.init(.restore), on: id, actor: actor, output: output) }
}
