import ArgumentParser

@main
struct GalleyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "galley",
        abstract: "Editorial workflow for AI-drafted articles: verify, approve, publish, audit.",
        subcommands: [Serve.self, Migrate.self]
    )
}
