import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

extension Audit {
    struct Seals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the seals, or with --export write them as JSON Lines for `galley audit verify --export … --seals …`.")
        @Flag(help: "Write every seal, with the chain heads it lists, one JSON document a line.") var export = false
        @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file")) var out: String?
        @OptionGroup var identity: Identity

        func run() async throws {
            let handle = try destination()
            var rows: [[String]] = []
            try await Session.with { session in
                for try await batch in try session.services.audit.sealExport(by: try await identity.caller(session)) {
                    if export {
                        handle.write(Data(try batch.map(SealDTO.jsonLine).joined().utf8))
                    } else {
                        rows += batch.map { seal in
                            [
                                String(seal.id), Output.time(seal.at), seal.chains.map(String.init) ?? "-", String(seal.heads?.count ?? 0),
                                seal.keyID ?? "unsigned",
                            ]
                        }
                    }
                }
            }
            if !export { Output.table(["id", "at", "chains", "moved", "key"], rows) }
            if out != nil { try handle.close() }
        }

        private func destination() throws -> FileHandle {
            guard let out else { return FileHandle.standardOutput }
            guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
                throw CLIError("Cannot write \(out).", hint: "Check that its folder exists and is writable.")
            }
            return handle
        }
    }
}
