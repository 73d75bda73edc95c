import ArgumentParser
import Foundation
import Galley
import GalleyCore

struct Actors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create and list actors (runs as the database operator).",
        subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a person or a service account with roles.")

        @Argument(help: "Lowercase name, e.g. eddie or publish-bot.")
        var name: String

        @Option(name: .customLong("role"), help: ArgumentHelp("A role to hold; repeat for several.", valueName: "role"))
        var roles: [Role] = []

        @Flag(help: "A service account (ai_agent or publisher) rather than a person.")
        var service = false

        @Option(help: "The name shown to people (default: the name).")
        var displayName: String?

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if roles.isEmpty { throw ValidationError("Give at least one --role (one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))).") }
        }

        func run() async throws {
            let actor = try await Session.with { session in
                try await session.services.actors.add(
                    .init(name: name, displayName: displayName, kind: service ? .service : .person, roles: roles),
                    by: session.operatorCaller)
            }
            if output.json { return try Output.json(ActorView(actor)) }
            Output.line("Created \(actor.kind.rawValue) \(actor.name) with roles \(actor.roles.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every actor and its roles.")

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let actors = try await Session.with { session in try await session.services.actors.list(by: session.operatorCaller) }
            if output.json { return try Output.json(actors.map(ActorView.init)) }
            Output.table(
                ["name", "kind", "roles", "display name"],
                actors.map { [$0.name, $0.kind.rawValue, $0.roles.map(\.rawValue).joined(separator: ","), $0.displayName] })
        }
    }
}
