import Foundation
import GalleyCore
import Postgres

/// Importing AI drafts produced elsewhere, each with the provenance an API generation would
/// leave: a succeeded generation linked to revision 1 of a new AI-origin article, authored by
/// the importing AI agent, digital source type `trainedAlgorithmicMedia`.
public struct ImportService: Sendable {
    let env: GalleyEnvironment

    /// One draft and how it was generated; `line` only labels its result.
    public struct Draft: Sendable {
        public var line: Int
        public var section: String
        public var tags: [String]
        public var slug: String?
        public var content: ArticleContent
        public var model: String
        public var modelVersion: String
        public var promptVersion: String
        public var parameters: JSONValue
        /// The sources the model was given; the revision's own sources are in `content`.
        public var sources: [Source]
        public var inputTokens: Int?
        public var outputTokens: Int?

        public init(
            line: Int, section: String, tags: [String], slug: String? = nil, content: ArticleContent, model: String,
            modelVersion: String, promptVersion: String, parameters: JSONValue = [:], sources: [Source] = [],
            inputTokens: Int? = nil, outputTokens: Int? = nil
        ) {
            self.line = line
            self.section = section
            self.tags = tags
            self.slug = slug
            self.content = content
            self.model = model
            self.modelVersion = modelVersion
            self.promptVersion = promptVersion
            self.parameters = parameters
            self.sources = sources
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
        }
    }

    public struct LineResult: Sendable, Equatable {
        public enum Status: String, Sendable, Codable {
            case imported
            case failed
            /// It would have been imported, but another line failed in an atomic import.
            case rolledBack = "rolled_back"
        }
        public let line: Int
        public let status: Status
        public let articleID: UUID?
        public let generationID: UUID?
        public let error: GalleyError?

        public init(line: Int, status: Status, articleID: UUID? = nil, generationID: UUID? = nil, error: GalleyError? = nil) {
            self.line = line
            self.status = status
            self.articleID = articleID
            self.generationID = generationID
            self.error = error
        }
    }

    /// Imports the drafts in one transaction, each in a savepoint. Not atomic: a failing
    /// draft is reported and the others stay. Atomic: any failure rolls every draft back.
    public func importDrafts(_ drafts: [Draft], atomic: Bool, by caller: Caller) async throws -> [LineResult] {
        let principal = caller.principal
        try principal.require(.writeGenerations)
        guard let actorID = principal.actorID, principal.kind == .service, principal.roles.contains(.aiAgent) else {
            throw GalleyError.forbidden(
                permission: Permission.writeGenerations.rawValue,
                reason: "imported drafts are authored by an ai_agent service account, and \(principal.name) is not one")
        }
        if drafts.isEmpty { return [] }
        let now = env.now()
        let ids = drafts.map { _ in (article: env.newID(), generation: env.newID()) }
        do {
            return try await env.transaction { conn in
                var results: [LineResult] = []
                for (draft, id) in zip(drafts, ids) {
                    try conn.runScript("SAVEPOINT draft")
                    do {
                        try Self.insert(draft, articleID: id.article, generationID: id.generation, authorID: actorID, conn: conn, caller: caller, at: now)
                        try conn.runScript("RELEASE SAVEPOINT draft")
                        results.append(LineResult(line: draft.line, status: .imported, articleID: id.article, generationID: id.generation))
                    } catch let error as GalleyError {
                        try conn.runScript("ROLLBACK TO SAVEPOINT draft")
                        results.append(LineResult(line: draft.line, status: .failed, error: error))
                    }
                }
                if atomic, results.contains(where: { $0.status == .failed }) { throw RolledBack(results: results) }
                return results
            }
        } catch let rolledBack as RolledBack {
            return rolledBack.results.map {
                $0.status == .imported ? LineResult(line: $0.line, status: .rolledBack) : $0
            }
        }
    }

    private struct RolledBack: Error { let results: [LineResult] }

    static func problems(_ draft: Draft) -> [GalleyError.FieldProblem] {
        var problems: [GalleyError.FieldProblem] = []
        for (field, value) in [("model", draft.model), ("model_version", draft.modelVersion), ("prompt_version", draft.promptVersion)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 {
            problems.append(.init(field: field, message: "must be 1 to 200 characters"))
        }
        if let tokens = draft.inputTokens, tokens < 0 { problems.append(.init(field: "usage.input_tokens", message: "must not be negative")) }
        if let tokens = draft.outputTokens, tokens < 0 { problems.append(.init(field: "usage.output_tokens", message: "must not be negative")) }
        return problems
    }

    /// queued → running → succeeded, as the API would record it, with the article between.
    private static func insert(
        _ draft: Draft, articleID: UUID, generationID: UUID, authorID: UUID, conn: PostgresConnection, caller: Caller, at now: Date
    ) throws {
        var problems = problems(draft)
        var checked: (section: String, tags: [String])?
        do { checked = try ArticleService.validated(section: draft.section, tags: draft.tags, slug: draft.slug) } catch {
            if case .validation(let found) = error { problems += found }
        }
        guard problems.isEmpty, let (section, tags) = checked else { throw GalleyError.validation(problems) }
        _ = try GenerationStore.insert(
            conn, id: generationID, articleID: nil, brief: .init(section: section, tags: tags, title: draft.content.title),
            model: draft.model, modelVersion: draft.modelVersion, promptVersion: draft.promptVersion, parameters: draft.parameters,
            sources: draft.sources, maxAttempts: GenerationLifecycle.defaultMaxAttempts, requestedBy: authorID, at: now)
        _ = try GenerationStore.update(
            conn, id: generationID,
            .init(status: .running, attempt: 1, articleID: nil, revision: nil, error: nil, inputTokens: nil, outputTokens: nil), at: now)
        let slug = try draft.slug ?? ArticleService.freeSlug(conn, for: draft.content.title, id: articleID)
        try ArticleService.insertArticle(
            conn, id: articleID, slug: slug, section: section, tags: tags, origin: .ai, content: draft.content, authorID: authorID,
            generationID: generationID, digitalSourceType: .trainedAlgorithmicMedia, caller: caller, at: now)
        let generation = try GenerationStore.update(
            conn, id: generationID,
            .init(status: .succeeded, attempt: 1, articleID: articleID, revision: 1, error: nil,
                  inputTokens: draft.inputTokens, outputTokens: draft.outputTokens), at: now)
        try AuditStore.append(
            conn,
            AuditEntry(
                chain: AuditEntry.chain(article: articleID), principal: caller.principal, action: "generation.succeeded",
                articleID: articleID, revision: 1, fromState: GenerationStatus.running.rawValue, toState: generation.status.rawValue,
                details: [
                    "generation_id": .string(generationID.uuidString.lowercased()), "model": .string(generation.model),
                    "model_version": .string(generation.modelVersion), "prompt_version": .string(generation.promptVersion),
                    "attempt": .number(Double(generation.attempt)), "imported": true,
                ],
                requestID: caller.requestID, at: now))
    }
}

extension GalleyServices {
    public var imports: ImportService { ImportService(env: environment) }
}
