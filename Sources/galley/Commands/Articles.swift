import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct Articles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, create and edit articles.",
        subcommands: [List.self, Show.self, Create.self, Edit.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List articles, most recently updated first.")

        @Option(help: "Only articles in this state.") var state: ArticleState?
        @Option(help: "Only articles in this section.") var section: String?
        @Option(help: "Only ai or human articles.") var origin: Origin?
        @Option(help: "At most this many (1 to 200).") var limit = 50
        @Option(help: "With --json, only these members of each article, comma-separated (e.g. id,title,state,updated_at).")
        var fields: String?
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if !(1...200).contains(limit) { throw ValidationError("--limit must be from 1 to 200.") }
            if fields != nil && !output.json { throw ValidationError("--fields chooses the members of --json output; add --json.") }
        }

        func run() async throws {
            var query = ArticleService.ListQuery()
            query.state = state
            query.section = section
            query.origin = origin
            query.limit = limit
            if let fields = try fields.map(ArticleField.parse) {
                let page = try await Session.with { session in
                    try await session.services.articles.list(query, fields: fields, by: session.caller(actor))
                }
                return try Output.json(ArticleFieldsDTO.list(page.items, fields: fields))
            }
            let page = try await Session.with { session in
                try await session.services.articles.list(query, by: session.caller(actor))
            }
            if output.json { return try Output.json(page.items.map { ArticleDTO($0.0, current: $0.1) }) }
            Output.table(
                ["id", "state", "origin", "section", "rev", "updated", "title"],
                page.items.map { article, current in
                    [
                        article.id.lowercasedString, article.state.rawValue, article.origin.rawValue, article.section,
                        "\(article.currentRevision)" + (article.liveRevision.map { " (live \($0))" } ?? ""),
                        Output.time(article.updatedAt), Output.shorten(current.content.title, to: 60),
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an article: its state, current text and checkpoints.")

        @Argument(help: "The article's id.") var id: UUID
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let detail = try await Session.with { session in try await session.services.articles.get(id, by: session.caller(actor)) }
            try ArticlePrinter.print(detail, json: output.json)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a draft from a JSON file.",
            discussion: "Fields: title, dek, body, section, tags, sources [{url, outlet, title}], insight, disclosure, slug (optional).")

        @Option(help: ArgumentHelp("The article as JSON; - reads stdin.", valueName: "file")) var file: String
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let input = try ArticleFile.load(file)
            guard let section = input.section else {
                throw CLIError("\(file) has no section.", hint: "Add \"section\": \"politics\" (a lowercase slug) to the file.")
            }
            let new = ArticleService.NewArticle(content: try input.content(), section: section, tags: input.tags ?? [], slug: input.slug)
            let detail = try await Session.with { session in try await session.services.articles.create(new, by: session.caller(actor)) }
            if output.json { return try Output.json(ArticleDTO(detail)) }
            Output.line("Created draft \(detail.article.id.uuidString.lowercased()) (\(detail.article.slug)).")
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new revision from a JSON file; the article returns to draft.",
            discussion: "Fields as for create; section, tags and slug belong to the article and are not changed by an edit.")

        @Argument(help: "The article's id.") var id: UUID
        @Option(help: ArgumentHelp("The new text as JSON; - reads stdin.", valueName: "file")) var file: String
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let input = try ArticleFile.load(file)
            if input.section != nil || input.tags != nil || input.slug != nil {
                Output.note("galley: note: section, tags and slug in \(file) are ignored; an edit changes the text only.")
            }
            let content = try input.content()
            let detail = try await Session.with { session in
                try await session.services.articles.edit(id, content: content, by: session.caller(actor))
            }
            if output.json { return try Output.json(ArticleDTO(detail)) }
            Output.line("Saved revision \(detail.current.number) of \(id.uuidString.lowercased()); it is now \(detail.article.state.rawValue).")
        }
    }
}

/// An article for people: its facts, then its checkpoints.
enum ArticlePrinter {
    static func print(_ detail: ArticleDetail, json: Bool) throws {
        if json { return try Output.json(ArticleDTO(detail)) }
        let article = detail.article
        let current = detail.current
        Output.fields([
            ("Title", current.content.title),
            ("ID", article.id.uuidString.lowercased()),
            ("Slug", article.slug),
            ("State", article.state.rawValue + (article.publishAt.map { " (publishes \(Output.time($0)))" } ?? "")),
            ("Section", article.section),
            ("Tags", article.tags.isEmpty ? "-" : article.tags.joined(separator: ", ")),
            ("Origin", article.origin.rawValue + (current.digitalSourceType.map { " (\($0.rawValue))" } ?? "")),
            ("Revision", "\(current.number) by \(current.author), \(Output.time(current.createdAt))"),
            ("Content hash", current.content.contentHash),
            ("Live revision", article.liveRevision.map(String.init) ?? "none"),
            ("Responsible editor", article.responsibleEditor ?? "-"),
            ("Updated", Output.time(article.updatedAt)),
        ])
        Output.line()
        Output.table(
            ["checkpoint", "status", "by", "at", "recorded by roles"],
            detail.checkpoints.map {
                [$0.checkpoint, $0.status.rawValue, $0.by ?? "-", Output.time($0.at), $0.roles.map(\.rawValue).joined(separator: ", ")]
            })
    }
}
