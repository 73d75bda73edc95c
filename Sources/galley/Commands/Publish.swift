import ArgumentParser
import Foundation
import Galley
import GalleyCore

struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish one article, many, or a batch from a file, stdin or a filter.",
        discussion: """
            Each article is published on its own unless --atomic, which publishes all or none. \
            Prints one result per article; exits 1 when any article failed.
            """)

    @Argument(help: ArgumentHelp("Article ids; - reads ids from stdin, one a line.", valueName: "ids"))
    var ids: [String] = []

    @Option(help: ArgumentHelp("Read article ids from a file, one a line.", valueName: "file"))
    var fromFile: String?

    @Option(help: "Publish every article in this state (e.g. approved).") var state: ArticleState?
    @Option(help: "With --state: only articles of this section.") var section: String?
    @Flag(help: "Check what would be published, and publish nothing.") var dryRun = false
    @Flag(help: "Publish all of them or none.") var atomic = false
    @Option(help: "The public correction note, needed to republish changed text.") var correctionNote: String?
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    static let chunkSize = 500

    func validate() throws {
        if section != nil, state == nil { throw ValidationError("--section filters --state; give --state too (e.g. --state approved).") }
        if ids.isEmpty, fromFile == nil, state == nil {
            throw ValidationError("Name the articles: ids, - for stdin, --from-file F, or --state S.")
        }
    }

    func run() async throws {
        let explicit = try explicitIDs()
        let (batches, results) = try await Session.with { session in
            let caller = try await session.caller(actor)
            let ids = explicit + (state == nil ? [] : try await filtered(session, caller))
            return try await publish(ids, session: session, caller: caller)
        }
        try PublishReport(batches: batches, results: results, atomic: atomic, dryRun: dryRun).print(json: output.json)
        if results.contains(where: { $0.status == .failed }) { throw ExitCode(ExitStatus.failed.rawValue) }
    }

    private func explicitIDs() throws -> [UUID] {
        var result: [UUID] = []
        for value in ids {
            if value == "-" {
                result += try IDList.parse(String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self), source: "stdin")
            } else {
                result.append(try IDList.parseArgument(value))
            }
        }
        if let fromFile {
            result += try IDList.parse(String(decoding: try InputFile.read(fromFile), as: UTF8.self), source: fromFile)
        }
        return result
    }

    /// Every article the filter matches, page by page.
    private func filtered(_ session: Session, _ caller: Caller) async throws -> [UUID] {
        var query = ArticleService.ListQuery()
        query.state = state
        query.section = section
        query.limit = 200
        var ids: [UUID] = []
        while true {
            let page = try await session.services.articles.list(query, by: caller)
            ids += page.items.map(\.0.id)
            // All of them: a non-atomic publish goes in chunks; an atomic one or a dry run of
            // more than the batch limit is refused by the service, saying so.
            guard let next = page.nextCursor else { return ids }
            query.cursor = next
        }
    }

    private func publish(_ ids: [UUID], session: Session, caller: Caller) async throws -> ([UUID], [PublishingService.ItemResult]) {
        if ids.isEmpty { return ([], []) }
        let progress = Progress(dryRun ? "checking" : "publishing", total: ids.count)
        defer { progress.finish() }
        if atomic || dryRun {
            let batch = try await session.services.publishing.publish(
                ids, atomic: atomic, correctionNote: correctionNote, dryRun: dryRun, by: caller)
            progress.update(ids.count)
            return (dryRun ? [] : [batch.id], batch.results)
        }
        var batches: [UUID] = []
        var results: [PublishingService.ItemResult] = []
        for start in stride(from: 0, to: ids.count, by: Self.chunkSize) {
            let chunk = Array(ids[start..<min(start + Self.chunkSize, ids.count)])
            let batch = try await session.services.publishing.publish(chunk, atomic: false, correctionNote: correctionNote, by: caller)
            batches.append(batch.id)
            results += batch.results
            progress.update(results.count)
        }
        return (batches, results)
    }
}

/// Per-article results of a publish, for people or for scripts.
struct PublishReport: Encodable {
    struct Item: Encodable {
        @LowercaseUUID var articleID: UUID
        let status: String
        let error: ErrorView?
        private enum CodingKeys: String, CodingKey {
            case articleID = "article_id"
            case status, error
        }
    }

    @LowercaseUUIDs var batches: [UUID]
    let atomic: Bool
    let dryRun: Bool
    let published: Int
    let skipped: Int
    let failed: Int
    let results: [Item]

    init(batches: [UUID], results: [PublishingService.ItemResult], atomic: Bool, dryRun: Bool) {
        let anyFailed = results.contains { $0.status == .failed }
        self.batches = batches
        self.atomic = atomic
        self.dryRun = dryRun
        self.results = results.map { result in
            var status = result.status.rawValue
            if result.status == .published {
                if dryRun { status = "would_publish" } else if atomic && anyFailed { status = "rolled_back" }
            }
            return Item(articleID: result.articleID, status: status, error: result.error.map(ErrorView.init))
        }
        published = self.results.filter { $0.status == "published" }.count
        skipped = results.filter { $0.status == .skipped }.count
        failed = results.filter { $0.status == .failed }.count
    }

    func print(json: Bool) throws {
        if json { return try Output.json(self) }
        Output.table(
            ["article", "result", "error"],
            results.map { [$0.articleID.uuidString.lowercased(), $0.status, $0.error?.message ?? ""] })
        var summary = "Published \(published), skipped \(skipped), failed \(failed)."
        if dryRun {
            summary = "Dry run: nothing was published; \(results.filter { $0.status == "would_publish" }.count) would be, \(failed) would fail."
        }
        if atomic && failed > 0 && !dryRun { summary += " Atomic: nothing was published." }
        Output.line(summary)
    }
    private enum CodingKeys: String, CodingKey {
        case batches, atomic
        case dryRun = "dry_run"
        case published, skipped, failed, results
    }
}
