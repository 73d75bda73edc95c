import ArgumentParser

@main
struct GalleyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "galley-bench",
        abstract: "Micro-benchmarks of Galley's building blocks.",
        subcommands: [DB.self, Domain.self, Webhooks.self]
    )
}
