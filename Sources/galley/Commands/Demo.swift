import ArgumentParser
import Foundation
import Galley
import GalleyCore

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Demo content for trying Galley out (runs as the database operator).", subcommands: [Load.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create one actor per role, print each one's token (and each person's desk password) once, and add articles in different states.",
            discussion: "Safe to run again: a second run says the demo is already loaded and changes nothing.")

        @OptionGroup var output: OutputOptions

        private struct View: Encodable {
            struct Member: Encodable {
                let name: String
                let kind: ActorKind
                let roles: [Role]
                let token: String
                let password: String?
            }
            struct Article: Encodable {
                @LowercaseUUID var id: UUID
                let state: ArticleState
                let origin: Origin
                let title: String
            }
            let alreadyLoaded: Bool
            let admin: String
            let actors: [Member]
            let articles: [Article]
            private enum CodingKeys: String, CodingKey {
                case alreadyLoaded = "already_loaded"
                case admin, actors, articles
            }
        }

        func run() async throws {
            let result = try await Session.with { session in try await session.services.demo.load(by: session.operatorCaller) }
            if output.json {
                return try Output.json(
                    View(
                        alreadyLoaded: result.alreadyLoaded, admin: result.adminName,
                        actors: result.members.map {
                            .init(name: $0.actor.name, kind: $0.actor.kind, roles: $0.actor.roles, token: $0.token, password: $0.password)
                        },
                        articles: result.articles.map {
                            .init(id: $0.article.id, state: $0.article.state, origin: $0.article.origin, title: $0.current.content.title)
                        }))
            }
            if result.alreadyLoaded {
                return Output.line(
                    "The demo is already loaded; nothing changed. (Its tokens and passwords were shown once, when it was loaded.)")
            }
            Output.line("Demo actors, their API tokens and each person's desk password (shown only this once):")
            Output.table(
                ["actor", "kind", "roles", "token", "password"],
                result.members.map {
                    [$0.actor.name, $0.actor.kind.rawValue, $0.actor.roles.map(\.rawValue).joined(separator: ","), $0.token, $0.password ?? "-"]
                })
            Output.line()
            Output.line("Demo articles:")
            Output.table(
                ["id", "state", "origin", "title"],
                result.articles.map {
                    [$0.article.id.uuidString.lowercased(), $0.article.state.rawValue, $0.article.origin.rawValue, $0.current.content.title]
                })
            Output.line()
            Output.line("Try: GALLEY_ACTOR=eli galley articles list")
        }
    }
}
