import ArgumentParser
import Foundation
import Galley
import GalleyCore

struct Prune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove what is past its retention: expired idempotency keys, old delivered events and webhook deliveries.",
        discussion: "`galley serve` does this every minute; the audit log is never pruned (docs/operations.md).",
        subcommands: [RunOnce.self])

    struct RunOnce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-once", abstract: "Prune once, as one server's run does, then exit.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let report = try await Session.with { session in try await session.services.retention.prune() }
            if output.json {
                var fields: [String: JSONValue] = ["skipped": .bool(report.skipped)]
                for (table, rows) in report.byTable { fields[table] = .number(Double(rows)) }
                return try Output.json(JSONValue.object(fields))
            }
            if report.skipped {
                return Output.line("Another server is pruning now; nothing was done.")
            }
            Output.table(["table", "rows removed"], report.byTable.map { [$0.table, "\($0.rows)"] })
        }
    }
}
