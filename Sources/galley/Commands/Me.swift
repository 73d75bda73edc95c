import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct Me: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the actor you act as: roles, desk, whether active.")

    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let me = try await Session.with { session in try await session.services.actors.me(by: try await session.caller(actor)) }
        if output.json { return try Output.json(ActorDTO(me)) }
        Actors.show(me)
    }
}
