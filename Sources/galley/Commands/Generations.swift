import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct Generations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "AI generation runs: list them, retry failed ones.",
        subcommands: [List.self, Retry.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List generations, newest first.")
        @Option(help: "Only generations with this status.") var status: GenerationStatus?
        @Option(help: "Only this model.") var model: String?
        @Option(help: "At most this many (1 to 200).") var limit = 50
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if !(1...200).contains(limit) { throw ValidationError("--limit must be from 1 to 200.") }
        }

        func run() async throws {
            let page = try await Session.with { session in
                try await session.services.generations.list(status: status, model: model, limit: limit, by: session.caller(actor))
            }
            if output.json { return try Output.json(page.items.map(GenerationDTO.init)) }
            Output.table(
                ["id", "status", "attempt", "model", "prompt", "article", "created", "error"],
                page.items.map {
                    [
                        $0.id.uuidString.lowercased(), $0.status.rawValue, "\($0.attempt)/\($0.maxAttempts)", "\($0.model) \($0.modelVersion)",
                        $0.promptVersion, $0.articleID.map { $0.uuidString.lowercased() } ?? "-", Output.time($0.createdAt),
                        Output.shorten($0.error ?? "", to: 50),
                    ]
                })
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a failed generation again (failed → queued, next attempt).")
        @Argument(help: "The generation's id.") var id: UUID
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let generation = try await Session.with { session in try await session.services.generations.retry(id, by: session.caller(actor)) }
            if output.json { return try Output.json(GenerationDTO(generation)) }
            Output.line("Queued \(id.uuidString.lowercased()) again (attempt \(generation.attempt) of \(generation.maxAttempts)).")
        }
    }
}

struct Scheduler: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish scheduled articles that are due.", subcommands: [RunOnce.self])

    struct RunOnce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-once", abstract: "Publish every scheduled article that is due now, then exit.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let run = try await Session.with { session in try await session.services.publishing.publishDue() }
            if output.json {
                return try Output.json(
                    [
                        "published": .number(Double(run.published)),
                        "failed": .array(
                            run.failures.map { ["article_id": .string($0.articleID.uuidString.lowercased()), "error": .string($0.error)] }),
                    ] as JSONValue)
            }
            Output.line(run.published == 1 ? "Published 1 due article." : "Published \(run.published) due articles.")
            for failure in run.failures {
                Output.line(
                    "Could not publish \(failure.articleID.uuidString.lowercased()): \(failure.error)"
                        + (failure.returnedToApproved ? " (it is approved again)" : " (it stays scheduled)"))
            }
            if !run.failures.isEmpty { throw ExitCode(ExitStatus.failed.rawValue) }
        }
    }
}
