import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct Sessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List and end people's review-desk sessions (runs as the database operator).",
        subcommands: [List.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List live desk sessions, the most recently seen first (never their secrets).")

        @Option(help: ArgumentHelp("Only this person's sessions.", valueName: "name"))
        var actor: String?

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let sessions = try await Session.with { session in
                if let actor { return try await session.services.sessions.list(of: .name(actor), by: session.operatorCaller) }
                return try await session.services.sessions.list(by: session.operatorCaller)
            }
            if output.json { return try Output.json(ItemsDTO(items: sessions.map(SessionDTO.init))) }
            Output.table(
                ["id", "actor", "signed in", "last seen", "address", "browser"],
                sessions.map {
                    [
                        $0.id.lowercasedString, $0.actorName, Output.time($0.createdAt), Output.time($0.lastSeenAt),
                        $0.clientAddress.isEmpty ? "-" : $0.clientAddress, $0.userAgent.isEmpty ? "-" : String($0.userAgent.prefix(60)),
                    ]
                })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a desk session at once; its browser is signed out.")

        @Argument(help: "The session's id (from `galley sessions list`).")
        var id: UUID

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.with { session in try await session.services.sessions.revoke(id, by: session.operatorCaller) }
            if output.json { return try Output.json(["revoked": id.lowercasedString]) }
            Output.line("Ended desk session \(id.lowercasedString).")
        }
    }
}
