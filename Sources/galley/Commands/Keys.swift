import ArgumentParser
import Foundation
import Galley
import GalleyCore

/// The key file that signs audit seals (`GALLEY_SEAL_KEY`; docs/audit.md, "Signed seals").
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, rotate and show the key that signs audit seals (the file GALLEY_SEAL_KEY names).",
        discussion: """
            The file holds an Ed25519 key set as JSON, readable by its owner only (mode 0600). `init` never \
            overwrites it; `rotate` makes a new signing key and keeps the old public keys, with the time they \
            stopped signing, so seals they signed stay verifiable. A running server signs with the new key \
            from its next seal.
            """,
        subcommands: [Init.self, Rotate.self, Show.self])

    static func file(_ path: String?) throws -> SealKeyFile {
        let path = path ?? ProcessInfo.processInfo.environment["GALLEY_SEAL_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        guard let path else {
            throw CLIError(
                "No seal key file is named.", hint: "Set GALLEY_SEAL_KEY to the key file's path (or pass --file), e.g. .galley/seal-key.json.")
        }
        return SealKeyFile(path: path)
    }

    struct Location: ParsableArguments {
        @Option(help: ArgumentHelp("The key file (default: GALLEY_SEAL_KEY).", valueName: "path")) var file: String?
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the key file with a new signing key (mode 0600); refuse if it exists.")
        @OptionGroup var location: Location
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let file = try Keys.file(location.file)
            let ring = try file.create(now: Date())
            try Keys.report("Created \(file.path) with signing key", ring, output)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the signing key with a new one; the old public keys stay listed with their validity.")
        @OptionGroup var location: Location
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let file = try Keys.file(location.file)
            let ring = try file.rotate(now: Date())
            try Keys.report("Rotated \(file.path): the new signing key is", ring, output)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the public keys as a JWK set, as /.well-known/galley-seal-key serves them.")
        @OptionGroup var location: Location

        func run() async throws {
            Output.line(String(decoding: try Keys.file(location.file).ring().publicSet.json(), as: UTF8.self))
        }
    }

    private static func report(_ sentence: String, _ ring: SealKeyRing, _ output: OutputOptions) throws {
        let kid = ring.keys.first?.kid ?? ""
        if output.json { return try Output.json(["key_id": kid]) }
        Output.line("\(sentence) \(kid).")
        Output.line("Its public key: `galley keys show`, or GET /.well-known/galley-seal-key on a server started with it.")
    }
}
