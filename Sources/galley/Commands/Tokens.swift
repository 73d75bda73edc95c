import ArgumentParser
import Foundation
import Galley
import GalleyCore

struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Issue, list and revoke API tokens (runs as the database operator).",
        subcommands: [Issue.self, List.self, Revoke.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token for an actor and print it, alone, on stdout; it is shown only once.")

        @Argument(help: "The actor's name.")
        var name: String

        @Option(help: ArgumentHelp("Lifetime, e.g. 30d, 12h, 2w (default: no expiry).", valueName: "span"))
        var expiresIn: Span?

        @OptionGroup var output: OutputOptions

        private struct View: Encodable {
            @LowercaseUUID var id: UUID
            let actor: String
            let token: String
            let expiresAt: Date?
            private enum CodingKeys: String, CodingKey {
                case id, actor, token
                case expiresAt = "expires_at"
            }
        }

        func run() async throws {
            let issued = try await Session.with { session in
                try await session.services.actors.issueToken(
                    for: .name(name), expiresAt: expiresIn.map { Date().addingTimeInterval($0.seconds) }, by: session.operatorCaller)
            }
            if output.json { return try Output.json(View(id: issued.id, actor: name, token: issued.token, expiresAt: issued.expiresAt)) }
            Output.line(issued.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an actor's tokens (never the secrets).")

        @Argument(help: "The actor's name.")
        var name: String

        @OptionGroup var output: OutputOptions

        func run() async throws {
            let tokens = try await Session.with { session in try await session.services.actors.tokens(of: name, by: session.operatorCaller) }
            let views = tokens.map { TokenView($0, actor: name) }
            if output.json { return try Output.json(views) }
            Output.table(
                ["id", "status", "created", "expires"],
                views.map { [$0.id.uuidString.lowercased(), $0.status, Output.time($0.createdAt), Output.time($0.expiresAt)] })
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
