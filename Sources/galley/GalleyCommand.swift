import ArgumentParser
import Foundation
import GalleyHTTP
import GalleyTracing
import Logging

@main
struct GalleyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "galley",
        abstract: "Editorial workflow for AI-drafted articles: verify, approve, publish, audit.",
        discussion: """
            Editorial commands act as a named actor (--actor NAME or GALLEY_ACTOR) and are refused \
            what that actor's roles do not allow. Bootstrap commands (migrate, actors, tokens, demo) \
            run as the database operator; so do webhooks. The database is DATABASE_URL, or libpq's PG* variables.

            Exit status: 0 ok, 1 some items failed, 2 usage, 3 forbidden, 4 not found, \
            5 conflict or refused transition, 6 database unreachable.
            """,
        subcommands: [
            Migrate.self, Actors.self, Tokens.self, Sessions.self, Me.self, Demo.self,
            Articles.self, Submit.self, Approve.self, RequestChanges.self, Schedule.self, Unschedule.self,
            Unpublish.self, Retract.self, Spike.self, Restore.self, Checkpoint.self, Claims.self, Comments.self,
            Queue.self, Assign.self, Unassign.self,
            Publish.self, Generations.self, Import.self, Audit.self, Keys.self, Scheduler.self, Prune.self, Webhooks.self, Serve.self,
        ]
    )

    /// Parses, runs, and maps every error to a message and an exit status in one place.
    static func main() async {
        let status: Int32
        do {
            let format = try LogFormat(environment: ProcessInfo.processInfo.environment, standardErrorIsTerminal: isatty(2) == 1)
            LoggingSystem.bootstrap(
                { label, provider in LogLineHandler(label: label, format: format, metadataProvider: provider) },
                metadataProvider: GalleyTracing.logMetadata)
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            status = 0
        } catch {
            status = Failure.report(error)
        }
        Foundation.exit(status)
    }
}
