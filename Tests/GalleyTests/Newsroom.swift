import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport

/// A newsroom with one actor per role, on a fresh database, for domain tests. Its services
/// run as the app's login role, as `galley serve` does, so a missing grant fails the test;
/// `pool` is the owner's, for what a test checks or tampers with in SQL.
struct Newsroom {
    let services: GalleyServices
    let pool: PostgresPool
    let connectionString: String
    let writer: Caller
    let editor: Caller
    let otherEditor: Caller
    let factChecker: Caller
    let legal: Caller
    let ai: Caller
    let publisher: Caller
    let admin: Caller
    static let operatorCaller = Caller(principal: .operator(osUser: "test"))

    static func with<Result>(_ body: (Newsroom) async throws -> Result) async throws -> Result {
        try await TestDatabase.withMigratedDatabase(poolSize: 8) { pool, connectionString in
            try await TestDatabase.withAppPool(connectionString, size: 8) { appPool in
                let services = GalleyServices(pool: appPool)
                func add(_ name: String, _ kind: ActorKind, _ roles: [Role]) async throws -> Caller {
                    let actor = try await services.actors.add(.init(name: name, kind: kind, roles: roles), by: operatorCaller)
                    return Caller(principal: actor.principal, requestID: "req-\(name)")
                }
                let newsroom = Newsroom(
                    services: services, pool: pool, connectionString: connectionString,
                    writer: try await add("wendy", .person, [.writer]),
                    editor: try await add("eddie", .person, [.editor]),
                    otherEditor: try await add("erin", .person, [.editor]),
                    factChecker: try await add("fiona", .person, [.factChecker]),
                    legal: try await add("lou", .person, [.legal]),
                    ai: try await add("drafter", .service, [.aiAgent]),
                    publisher: try await add("publish-bot", .service, [.publisher]),
                    admin: try await add("ada", .person, [.admin]))
                return try await body(newsroom)
            }
        }
    }

    static func content(
        _ title: String = "Venezuela releases political prisoners",
        body: String = "Caracas — The government said on Tuesday that 123 political prisoners were released."
    ) throws -> ArticleContent {
        try ArticleContent(
            title: title, dek: "What the release means for the opposition", body: body,
            insight: "Releases often precede negotiations.", disclosure: "This text was drafted by AI and may contain errors.",
            sources: [Source(url: "https://example.org/news/venezuela-release", outlet: "Example Wire", title: "Prisoners freed")])
    }

    /// A human draft in `section`, written by the writer.
    func draft(section: String = "world", title: String = "Venezuela releases political prisoners") async throws -> ArticleDetail {
        try await services.articles.create(.init(content: try Self.content(title), section: section, tags: ["venezuela"]), by: writer)
    }

    /// An AI-origin draft made through a generation.
    func aiDraft(section: String = "politics") async throws -> ArticleDetail {
        let generation = try await services.generations.register(
            .init(brief: .init(section: section, tags: ["venezuela"]), model: "gpt-x", modelVersion: "2026-10", promptVersion: "analysis-v3"),
            by: ai)
        _ = try await services.generations.update(generation.id, .init(status: .running), by: ai)
        let done = try await services.generations.update(
            generation.id, .init(status: .succeeded, output: .init(content: try Self.content()), inputTokens: 1200, outputTokens: 800), by: ai)
        return try await services.articles.get(done.articleID!, by: editor)
    }

    func act(
        _ action: ArticleAction, _ id: UUID, by caller: Caller, reason: String? = nil, publishAt: Date? = nil,
        correctionNote: String? = nil, notice: String? = nil
    ) async throws -> ArticleDetail {
        try await services.transitions.perform(
            .init(action, reason: reason, publishAt: publishAt, correctionNote: correctionNote, notice: notice), on: id, by: caller)
    }

    /// Passes every required checkpoint of the current revision, as the right people.
    func passCheckpoints(_ id: UUID) async throws {
        let (revision, statuses) = try await services.review.checkpoints(id, by: editor)
        for status in statuses {
            let caller = status.checkpoint == "legal_review" ? legal : factChecker
            _ = try await services.review.record(
                .init(checkpoint: status.checkpoint, verdict: .passed, revision: revision, note: "ok"), on: id, by: caller)
        }
    }

    /// Draft → in_review → checkpoints → approved (by the editor).
    func approved(section: String = "world", title: String = "Venezuela releases political prisoners") async throws -> ArticleDetail {
        let draft = try await draft(section: section, title: title)
        _ = try await act(.submit, draft.article.id, by: writer)
        try await passCheckpoints(draft.article.id)
        return try await act(.approve, draft.article.id, by: editor)
    }
}
