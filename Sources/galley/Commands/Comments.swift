import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct Comments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Comment threads on an article: about a quoted passage, a claim, or the whole draft.",
        subcommands: [List.self, Add.self, Resolve.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List an article's threads, oldest first, with their replies.",
            discussion: "A thread whose quote no longer occurs in the current revision is marked outdated.")
        @Argument(help: "The article's id.") var id: UUID
        @Option(help: "Only resolved threads (true) or only open ones (false).") var resolved: Bool?
        @Option(help: "At most this many threads (1 to 200).") var limit = 50
        @Option(help: "The next_cursor of the previous page.") var cursor: String?
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if !(1...200).contains(limit) { throw ValidationError("--limit must be from 1 to 200.") }
        }

        func run() async throws {
            let page = try await Session.with { session in
                try await session.services.comments.threads(
                    of: id, .init(resolved: resolved, limit: limit, cursor: cursor), by: session.caller(actor))
            }
            if output.json { return try Output.json(ListDTO(items: page.items.map(CommentDTO.init), next_cursor: page.nextCursor)) }
            var rows: [[String]] = []
            for thread in page.items {
                rows.append(Self.row(thread.root, thread: "", state: thread.root.resolvedAt == nil ? "open" : "resolved"))
                rows += thread.replies.map { Self.row($0, thread: "  ↳", state: "") }
            }
            Output.table(["id", "", "by", "rev", "state", "quote", "comment"], rows)
            if let next = page.nextCursor { Output.line("More: --cursor \(next)") }
        }

        static func row(_ comment: Comment, thread: String, state: String) -> [String] {
            [
                comment.id.lowercasedString, thread, comment.author.name, "\(comment.revision)",
                state + (comment.outdated ? " outdated" : ""), Output.shorten(comment.quote ?? "", to: 30),
                Output.shorten(comment.body, to: 60),
            ]
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a thread, or reply to one with --reply-to.")
        @Argument(help: "The article's id.") var id: UUID
        @Argument(help: "The comment, in Markdown.") var text: String
        @Option(help: "The exact text commented on, as it stands in the revision.") var quote: String?
        @Option(help: "A claim of the article the comment is about.") var claim: UUID?
        @Option(help: "The revision commented on (default: the current one).") var revision: Int?
        @Option(help: ArgumentHelp("The thread (its first comment) to reply to.", valueName: "comment")) var replyTo: UUID?
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let comment = try await Session.with { session in
                try await session.services.comments.add(
                    .init(body: text, revision: revision, quote: quote, claimID: claim, parentID: replyTo), on: id, by: session.caller(actor))
            }
            if output.json { return try Output.json(CommentDTO(comment)) }
            Output.line("Added comment \(comment.id.lowercasedString) on revision \(comment.revision).")
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve a thread (or reopen it with --reopen): its author, an editor or an admin.")
        @Argument(help: "The article's id.") var id: UUID
        @Argument(help: "A comment of the thread.") var comment: UUID
        @Flag(help: "Reopen the thread instead.") var reopen = false
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let root = try await Session.with { session in
                try await session.services.comments.setResolved(!reopen, comment: comment, on: id, by: session.caller(actor))
            }
            if output.json { return try Output.json(CommentDTO(root)) }
            Output.line("Thread \(root.id.lowercasedString) is \(root.resolvedAt == nil ? "open" : "resolved").")
        }
    }
}
