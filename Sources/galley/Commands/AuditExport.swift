import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

extension Audit {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stream audit events as JSON Lines or CSV, in constant memory, byte for byte as the API exports them.")

        @Option(help: "jsonl or csv.") var format: AuditExport.Format
        @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file")) var out: String?
        @OptionGroup var filter: Filter
        @OptionGroup var identity: Identity
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let handle = try destination()
            let count = try await Session.with { session in
                let caller = try await identity.caller(session)
                let progress = Progress("exporting")
                if progress.enabled { progress.setTotal(try await session.services.audit.count(filter.query, by: caller)) }
                defer { progress.finish() }
                var written = 0
                var lines = AuditExport.Writer(format: format)
                try handle.write(contentsOf: Data(lines.header.utf8))
                for try await batch in try session.services.audit.streamRows(filter.query, by: caller) {
                    lines.removeAll()
                    try lines.append(batch)
                    try handle.write(contentsOf: lines.bytes)
                    written += batch.count
                    progress.update(written)
                }
                return written
            }
            guard let out else { return }
            try handle.close()
            if output.json { return try Output.json(Summary(events: count, out: out)) }
            Output.line("Exported \(count) events to \(out).")
        }

        private struct Summary: Encodable {
            let events: Int
            let out: String
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
