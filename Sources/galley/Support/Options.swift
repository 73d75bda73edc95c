import ArgumentParser
import Foundation

/// `--json`, on every command.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON for scripts (one document, or JSON Lines for streams) instead of a table.")
    var json = false
}

/// Who an editorial command acts as.
struct ActorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The actor to act as (default: GALLEY_ACTOR).", valueName: "name"))
    var actor: String?

    /// The actor's name, or a usage error that says how to give one.
    func name() throws -> String {
        if let actor, !actor.isEmpty { return actor }
        if let name = ProcessInfo.processInfo.environment["GALLEY_ACTOR"], !name.isEmpty { return name }
        throw CLIError(
            "This command acts as a named actor, and none was given.",
            hint: "Pass --actor NAME or set GALLEY_ACTOR; `galley actors list` shows who exists.")
    }
}
