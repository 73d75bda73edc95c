import ArgumentParser
import Foundation
import Galley
import GalleyCore

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import AI drafts with their provenance from JSON Lines, one draft a line.",
        discussion: """
            Each line becomes an AI-origin draft whose revision 1 is authored by the acting ai_agent \
            and linked to a succeeded generation (model, versions, parameters, sources, usage). \
            A bad line is reported with its number and does not stop the others, unless --atomic. \
            Exits 1 when any line failed. See docs/cli.md for the fields.
            """)

    @Argument(help: ArgumentHelp("The JSON Lines file; - reads stdin.", valueName: "file")) var file: String
    @Flag(help: "Import every line or none.") var atomic = false
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    /// Drafts a transaction without --atomic: one chunk of the service's set-based writes.
    static let chunkSize = 250

    func run() async throws {
        var reader = try LineReader(path: file)
        let printer = ImportPrinter(json: output.json)
        let progress = Progress("importing", total: Progress.isTerminal ? LineReader.count(path: file) : nil)
        try await Session.with { session in
            let caller = try await session.caller(actor)
            if atomic {
                var parsed: [Parsed] = []
                while let line = reader.next() {
                    if let item = Parsed(line) { parsed.append(item) }
                }
                try printer.print(try await importAll(parsed, session: session, caller: caller))
                progress.update(reader.lineNumber)
            } else {
                var pipeline = ImportPipeline(session: session, caller: caller, printer: printer, progress: progress)
                var chunk: [Parsed] = []
                while let line = reader.next() {
                    if let item = Parsed(line) { chunk.append(item) }
                    if chunk.count == Self.chunkSize {
                        try await pipeline.add(chunk, lines: reader.lineNumber)
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
                try await pipeline.add(chunk, lines: reader.lineNumber)
                try await pipeline.finish()
            }
        }
        progress.finish()
        printer.summary(atomic: atomic)
        if printer.failed > 0 { throw ExitCode(ExitStatus.failed.rawValue) }
    }

    /// A line parsed into a draft, or the reason it could not be.
    enum Parsed {
        case draft(ImportService.Draft)
        case invalid(line: Int, error: ErrorView)

        /// Nil for a blank line.
        init?(_ line: (number: Int, text: String)) {
            // As `trimmingCharacters(in: .whitespaces).isEmpty`, which goes through UTF-16 for
            // the whole line; this stops at the first character that is not white space.
            if line.text.unicodeScalars.allSatisfy(CharacterSet.whitespaces.contains) { return nil }
            do {
                self = .draft(try ImportLine.draft(line.text, line: line.number))
            } catch let error as GalleyError {
                self = .invalid(line: line.number, error: ErrorView(error))
            } catch let error as CLIError {
                self = .invalid(line: line.number, error: ErrorView(kind: "invalid_line", message: error.message))
            } catch {
                self = .invalid(line: line.number, error: ErrorView(kind: "invalid_line", message: "\(error)"))
            }
        }

        var line: Int {
            switch self {
            case .draft(let draft): draft.line
            case .invalid(let line, _): line
            }
        }
    }

    static func drafts(_ parsed: [Parsed]) -> [ImportService.Draft] {
        parsed.compactMap { if case .draft(let draft) = $0 { draft } else { nil } }
    }

    /// All or nothing: a line that does not parse stops the import before the database is touched.
    private func importAll(_ parsed: [Parsed], session: Session, caller: Caller) async throws -> [ImportResultView] {
        let drafts = Self.drafts(parsed)
        let invalid = Self.invalid(parsed)
        if !invalid.isEmpty {
            let rolledBack = drafts.map { ImportResultView(line: $0.line, status: ImportService.LineResult.Status.rolledBack.rawValue) }
            return (invalid + rolledBack).sorted { $0.line < $1.line }
        }
        return try await session.services.imports.importDrafts(drafts, atomic: true, by: caller).map(ImportResultView.init)
    }

    static func invalid(_ parsed: [Parsed]) -> [ImportResultView] {
        parsed.compactMap {
            if case .invalid(let line, let error) = $0 { ImportResultView(line: line, status: "failed", error: error) } else { nil }
        }
    }
}

struct ImportResultView: Encodable {
    let line: Int
    let status: String
    @OptionalLowercaseUUID var articleID: UUID? = nil
    @OptionalLowercaseUUID var generationID: UUID? = nil
    var error: ErrorView?

    init(line: Int, status: String, error: ErrorView? = nil) {
        self.line = line
        self.status = status
        self.error = error
    }

    init(_ result: ImportService.LineResult) {
        line = result.line
        status = result.status.rawValue
        articleID = result.articleID
        generationID = result.generationID
        error = result.error.map(ErrorView.init)
    }
    private enum CodingKeys: String, CodingKey {
        case line, status
        case articleID = "article_id"
        case generationID = "generation_id"
        case error
    }
}

/// Prints results as they come: JSON Lines for scripts, fixed columns for people.
final class ImportPrinter {
    let json: Bool
    private(set) var imported = 0
    private(set) var failed = 0
    private var headerPrinted = false

    init(json: Bool) { self.json = json }

    func print(_ results: [ImportResultView]) throws {
        for result in results {
            if result.status == "imported" { imported += 1 }
            if result.status == "failed" { failed += 1 }
            if json {
                Output.line(try Output.jsonLine(result))
                continue
            }
            if !headerPrinted {
                Output.line(row("LINE", "RESULT", "ARTICLE", "ERROR"))
                headerPrinted = true
            }
            Output.line(row("\(result.line)", result.status, result.articleID?.uuidString.lowercased() ?? "-", result.error?.message ?? ""))
        }
    }

    private func row(_ line: String, _ status: String, _ article: String, _ error: String) -> String {
        [
            line.padding(toLength: 6, withPad: " ", startingAt: 0), status.padding(toLength: 11, withPad: " ", startingAt: 0),
            article.padding(toLength: 36, withPad: " ", startingAt: 0), error,
        ].joined(separator: "  ")
    }

    func summary(atomic: Bool) {
        guard !json else { return }
        var text = "Imported \(imported), failed \(failed)."
        if atomic && failed > 0 { text += " Atomic: nothing was imported." }
        Output.line(text)
    }
}
