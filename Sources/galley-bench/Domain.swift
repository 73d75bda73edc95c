import ArgumentParser
import Foundation
import Galley
import GalleyCore
import Postgres
import Synchronization

/// Walks articles through the editorial workflow with the domain services, as the API and the
/// CLI would, from several concurrent workers sharing one `PostgresPool`.
struct Domain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "Walk articles from draft to published (or approved) through GalleyServices.",
        discussion: """
            First every article is created as a draft (writer), timed apart as "creation". Then the \
            walk, timed: submit (writer) → source_check passed (fact checker) → approve (editor) → \
            publish (publisher service). Sections other than politics and human origin mean \
            source_check is the only required checkpoint. A transition is one state change of the \
            walk (submit, approve, publish); the checkpoint is an operation but not a transition. \
            The database must be migrated (`galley migrate`). Actors are created when missing. \
            Prints one JSON line: {"articles", "creation_seconds", "created_per_second", \
            "transitions", "operations", "seconds", "transitions_per_second", \
            "operations_per_second", "with_creation_per_second"} (the last counts creations as \
            transitions, over both phases).
            """
    )

    enum Stop: String, ExpressibleByArgument, CaseIterable {
        case draft
        case inReview = "in_review"
        case approved, published
    }

    @Option(help: "libpq URL or key=value string; empty uses the PG* environment variables.")
    var connection = ""

    @Option(help: "How many articles to walk.")
    var articles = 10_000

    @Option(help: "Concurrent workers; also the pool's size.")
    var workers = 8

    @Option(help: "The last state: draft, in_review or approved (to prepare other benchmarks), or published.")
    var until: Stop = .published

    @Option(help: "Section of the articles (politics would also require legal_review).")
    var section = "culture"

    @Option(help: "Approximate body size in bytes.")
    var bodyBytes = 2_500

    @Option(help: "Write the ids of the walked articles to this file, one a line.")
    var idsOut: String?

    func validate() throws {
        guard articles >= 1 else { throw ValidationError("--articles must be at least 1") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        let pool = PostgresPool(configuration: .init(connectionString: connection, maxConnections: workers))
        let services = GalleyServices(pool: pool)
        let cast = try await BenchCast.prepare(services)
        let body = BenchText.body(bytes: bodyBytes)
        let until = self.until
        let section = self.section
        let runID = UUID().uuidString.lowercased().prefix(8)

        // Open every connection before the clock starts, as pgbench does.
        _ = try await inParallel(workers) { _ in
            try await pool.withConnection { conn in try conn.runScript("SELECT 1") }
        }

        // The drafts first, timed apart: pgbench's articles exist before its run starts, and
        // its transitions are the walk from draft.
        let clock = ContinuousClock()
        let creationStart = clock.now
        let nextDraft = Atomic<Int>(0)
        let total = articles
        let drafts = try await inParallel(workers) { worker in
            var made: [(index: Int, id: UUID, revision: Int)] = []
            while true {
                let index = nextDraft.add(1, ordering: .relaxed).oldValue
                if index >= total { break }
                let content = try ArticleContent(
                    title: "Bench story \(runID) number \(index)", dek: "A benchmark article written by worker \(worker)",
                    body: body, disclosure: "Generated for a benchmark.",
                    sources: [Source(url: "https://example.org/source/\(index)", outlet: "Example Wire", title: "Source \(index)")])
                let created = try await services.articles.create(.init(content: content, section: section, tags: ["bench"]), by: cast.writer)
                made.append((index, created.article.id, created.article.currentRevision))
            }
            return made
        }.flatMap { $0 }.sorted { $0.index < $1.index }
        let creation = elapsedSeconds(creationStart.duration(to: clock.now))

        let nextWalk = Atomic<Int>(0)
        let walkStart = clock.now
        let perWorker = try await inParallel(until == .draft ? 0 : workers) { _ in
            var transitions = 0
            var operations = 0
            while true {
                let index = nextWalk.add(1, ordering: .relaxed).oldValue
                if index >= drafts.count { break }
                let (id, revision) = (drafts[index].id, drafts[index].revision)
                _ = try await services.transitions.perform(.init(.submit), on: id, by: cast.writer)
                transitions += 1
                operations += 1
                if until == .approved || until == .published {
                    _ = try await services.review.record(
                        .init(checkpoint: "source_check", verdict: .passed, revision: revision, note: "checked"), on: id, by: cast.checker)
                    _ = try await services.transitions.perform(.init(.approve), on: id, by: cast.editor)
                    transitions += 1
                    operations += 2
                }
                if until == .published {
                    _ = try await services.transitions.perform(.init(.publish), on: id, by: cast.publisher)
                    transitions += 1
                    operations += 1
                }
            }
            return (transitions: transitions, operations: operations)
        }
        let walk = elapsedSeconds(walkStart.duration(to: clock.now))
        await pool.close()

        if let idsOut {
            let text = drafts.map { $0.id.uuidString.lowercased() + "\n" }.joined()
            try Data(text.utf8).write(to: URL(fileURLWithPath: idsOut))
        }
        let transitions = perWorker.map(\.transitions).reduce(0, +)
        let operations = perWorker.map(\.operations).reduce(0, +)
        print(
            #"{"articles": \#(drafts.count), "creation_seconds": \#(round3(creation)), "#
                + #""created_per_second": \#(round1(Double(drafts.count) / creation)), "#
                + #""transitions": \#(transitions), "operations": \#(operations), "seconds": \#(round3(walk)), "#
                + #""transitions_per_second": \#(round1(Double(transitions) / max(walk, 1e-9))), "#
                + #""operations_per_second": \#(round1(Double(operations) / max(walk, 1e-9))), "#
                + #""with_creation_per_second": \#(round1(Double(transitions + drafts.count) / (creation + walk)))}"#)
    }
}

/// The actors a benchmark acts as, created by the operator when missing.
struct BenchCast: Sendable {
    let writer: Caller
    let checker: Caller
    let editor: Caller
    let publisher: Caller

    static func prepare(_ services: GalleyServices) async throws -> BenchCast {
        let operatorCaller = Caller(principal: .operator(osUser: "bench"), requestID: "bench-setup")
        func actor(_ name: String, _ kind: ActorKind, _ roles: [Role]) async throws -> Caller {
            if let found = try await services.actors.find(name: name) {
                return Caller(principal: found.principal, requestID: "bench")
            }
            let actor = try await services.actors.add(.init(name: name, kind: kind, roles: roles), by: operatorCaller)
            return Caller(principal: actor.principal, requestID: "bench")
        }
        return BenchCast(
            writer: try await actor("bench-writer", .person, [.writer]),
            checker: try await actor("bench-checker", .person, [.factChecker]),
            editor: try await actor("bench-editor", .person, [.editor]),
            publisher: try await actor("bench-press", .service, [.publisher]))
    }
}

enum BenchText {
    /// Markdown paragraphs of roughly `bytes` bytes.
    static func body(bytes: Int) -> String {
        let paragraph = """
            The city council voted on Tuesday to extend the opening hours of the central library, \
            after a year in which visits rose by a third. The grant that pays for the extra staff \
            runs for two years; the council says it will look for permanent money in the next budget.
            """
        var text = ""
        while text.utf8.count < bytes { text += paragraph + "\n\n" }
        return text
    }
}

func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }
func elapsedSeconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

/// Runs `body(i)` for i in 0..<count in child tasks at once and returns the results in order.
func inParallel<Value: Sendable>(
    _ count: Int, _ body: @escaping @Sendable (Int) async throws -> Value
) async throws -> [Value] {
    try await withThrowingTaskGroup(of: (Int, Value).self) { group in
        for index in 0..<count { group.addTask { (index, try await body(index)) } }
        var results: [(Int, Value)] = []
        for try await result in group { results.append(result) }
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
