import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Issue, list and revoke API tokens (runs as the database operator).",
        subcommands: [Issue.self, List.self, Revoke.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token for an actor and print it, alone, on stdout; it is shown only once.")

        @Argument(help: "The actor's name.")
        var name: String

        @Option(
            help: ArgumentHelp(
                "Lifetime, e.g. 30d, 12h, 2w (a person's: at most 366d, default 90d), or never (a service's only; a service's must be given).",
                valueName: "span"))
        var expiresIn: TokenLifetime?

        @Option(help: ArgumentHelp("What the token is for, e.g. laptop or ci (at most 200 characters).", valueName: "text"))
        var label: String = ""

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let issued = try await Session.with { session in
                try await session.services.actors.issueToken(
                    for: .name(name), label: label, lifetime: expiresIn ?? .standard, by: session.operatorCaller)
            }
            if output.json { return try Output.json(IssuedTokenDTO(issued)) }
            Output.line(issued.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an actor's tokens (never the secrets).")

        @Argument(help: "The actor's name.")
        var name: String

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let tokens = try await Session.with { session in
                try await session.services.actors.tokens(of: .name(name), by: session.operatorCaller)
            }
            if output.json { return try Output.json(ItemsDTO(items: tokens.map(TokenDTO.init))) }
            let now = Date()
            Output.table(
                ["id", "label", "status", "created", "expires", "last used"],
                tokens.map {
                    [
                        $0.id.lowercasedString, $0.label.isEmpty ? "-" : $0.label, Self.status(of: $0, at: now), Output.time($0.createdAt),
                        Output.time($0.expiresAt), Output.time($0.lastUsedAt),
                    ]
                })
        }

        static func status(of token: TokenRecord, at now: Date) -> String {
            if token.revokedAt != nil { return "revoked" }
            if let expiresAt = token.expiresAt, expiresAt <= now { return "expired" }
            return "live"
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token at once.")

        @Argument(help: "The token's id (from `galley tokens list`).")
        var id: UUID

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await Session.with { session in try await session.services.actors.revokeToken(id, by: session.operatorCaller) }
            if output.json { return try Output.json(["revoked": id.uuidString.lowercased()]) }
            Output.line("Revoked token \(id.uuidString.lowercased()).")
        }
    }
}
