import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct Actors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, change, deactivate and activate actors, and set desk passwords (runs as the database operator).",
        subcommands: [Add.self, List.self, Update.self, Deactivate.self, Activate.self, Password.self])

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
            if output.json { return try Output.json(ActorDTO(actor)) }
            Output.line("Created \(actor.kind.rawValue) \(actor.name) with roles \(actor.roles.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every actor, its roles, desk and whether it is active.")

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let actors = try await Session.with { session in try await session.services.actors.list(by: session.operatorCaller) }
            if output.json { return try Output.json(ItemsDTO(items: actors.map(ActorDTO.init))) }
            Output.table(
                ["name", "kind", "roles", "display name", "sections", "active"],
                actors.map {
                    [$0.name, $0.kind.rawValue, $0.roles.map(\.rawValue).joined(separator: ","), $0.displayName, desk($0), $0.active ? "yes" : "no"]
                })
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an actor's roles, desk or display name; the change holds from the next request on.")

        @Argument(help: "The actor's name.")
        var name: String

        @Option(name: .customLong("role"), help: ArgumentHelp("The full new set of roles; repeat for several.", valueName: "role"))
        var roles: [Role] = []

        @Option(name: .customLong("section"), help: ArgumentHelp("The full new desk: a section; repeat for several.", valueName: "section"))
        var sections: [String] = []

        @Flag(help: "Clear the desk: the actor may change articles in every section.")
        var noSections = false

        @Option(help: "The name shown to people.")
        var displayName: String?

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if noSections, !sections.isEmpty { throw ValidationError("Give --section or --no-sections, not both.") }
            if roles.isEmpty, sections.isEmpty, !noSections, displayName == nil {
                throw ValidationError("Give at least one of --role, --section, --no-sections, --display-name.")
            }
        }

        func run() async throws {
            let change = ActorService.ActorChange(
                displayName: displayName, roles: roles.isEmpty ? nil : roles,
                sections: noSections ? [] : sections.isEmpty ? nil : sections)
            try await Actors.change(name, change, output: output)
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Switch an actor off: their tokens are revoked and their open assignments removed at once; their history stays.")

        @Argument(help: "The actor's name.")
        var name: String

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Actors.change(name, .init(active: false), output: output)
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch a deactivated actor on again; their old tokens stay revoked: issue new ones (`galley tokens issue NAME`).")

        @Argument(help: "The actor's name.")
        var name: String

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Actors.change(name, .init(active: true), output: output)
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a person's password for the review desk (/desk); their open desk sessions end.",
            discussion: """
                The password is read from stdin when it is piped (its first line), else typed twice at a prompt \
                without echo; never from an argument, where `ps` and the shell's history would keep it. At least \
                \(PasswordHash.minimumLength) characters; a phrase of several words will do. Services never sign in.
                """)

        @Argument(help: "The person's name.")
        var name: String

        @OptionGroup var output: OutputOptions

        private struct View: Encodable {
            let actor: String
            let password_set: Bool
        }

        func run() async throws {
            let password = try PasswordInput.newPassword(for: name)
            try await Session.with { session in
                try await session.services.actors.setPassword(for: .name(name), to: password, by: session.operatorCaller)
            }
            if output.json { return try Output.json(View(actor: name, password_set: true)) }
            Output.line("Set \(name)'s desk password; any desk sessions they had are ended.")
        }
    }

    static func change(_ name: String, _ change: ActorService.ActorChange, output: OutputOptions) async throws {
        let actor = try await Session.with { session in
            try await session.services.actors.update(.name(name), change, by: session.operatorCaller)
        }
        if output.json { return try Output.json(ActorDTO(actor)) }
        show(actor)
    }

    /// An actor as the CLI shows one: a line per fact.
    static func show(_ actor: Actor) {
        Output.line("\(actor.name) (\(actor.displayName)), \(actor.kind.rawValue)")
        Output.line("roles:    \(actor.roles.map(\.rawValue).joined(separator: ", "))")
        Output.line("sections: \(desk(actor))")
        Output.line("active:   \(actor.active ? "yes" : "no")")
    }

    static func desk(_ actor: Actor) -> String {
        actor.sections.isEmpty ? "all" : actor.sections.joined(separator: ",")
    }
}
