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

    /// Drafts with their articles' search vectors computed ahead (see `prepare`).
    public struct PreparedDrafts: Sendable {
        let drafts: [Draft]
        /// One per draft, or nil: the vectors are then computed while the drafts are written.
        let searches: [String]?

        init(drafts: [Draft], searches: [String]? = nil) {
            self.drafts = drafts
            self.searches = searches
        }
    }

    /// Computes the drafts' search vectors (most of an import's work in the database) on a
    /// connection of its own, so that a caller importing in chunks can prepare the next chunk
    /// while `importDrafts` writes this one. Drafts the database cannot take here are left to
    /// `importDrafts`, which reports them.
    public func prepare(_ drafts: [Draft], by caller: Caller) async throws -> PreparedDrafts {
        _ = try Self.author(caller)
        if drafts.isEmpty { return PreparedDrafts(drafts: drafts) }
        let contents = drafts.map(\.content)
        do {
            let searches = try await env.read { conn in try ImportStore.searchVectors(conn, of: contents) }
            return PreparedDrafts(drafts: drafts, searches: searches)
        } catch let error as PostgresError where error.kind == .server {
            return PreparedDrafts(drafts: drafts)
        }
    }

    /// Imports the drafts in one transaction, a chunk at a time. Not atomic: a failing draft
    /// is reported and the others stay. Atomic: any failure rolls every draft back.
    public func importDrafts(_ drafts: [Draft], atomic: Bool, by caller: Caller) async throws -> [LineResult] {
        try await importDrafts(PreparedDrafts(drafts: drafts), atomic: atomic, by: caller)
    }

    /// Imports drafts whose search vectors `prepare` computed, as `importDrafts(_:atomic:by:)`.
    public func importDrafts(_ prepared: PreparedDrafts, atomic: Bool, by caller: Caller) async throws -> [LineResult] {
        let authorID = try Self.author(caller)
        if prepared.drafts.isEmpty { return [] }
        let now = env.now()
        let lines = prepared.drafts.enumerated().map { index, draft in
            Line(draft: draft, search: prepared.searches?[index], articleID: env.newID(), generationID: env.newID())
        }
        do {
            return try await env.transaction { conn in
                var results: [LineResult] = []
                for start in stride(from: 0, to: lines.count, by: Self.chunkSize) {
                    let chunk = lines[start..<min(start + Self.chunkSize, lines.count)]
                    results += try Self.importChunk(chunk, authorID: authorID, conn: conn, caller: caller, at: now)
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

    /// The importing AI agent, who authors every imported draft.
    private static func author(_ caller: Caller) throws -> UUID {
        let principal = caller.principal
        try principal.require(.writeGenerations)
        guard let actorID = principal.actorID, principal.kind == .service, principal.roles.contains(.aiAgent) else {
            throw GalleyError.forbidden(
                permission: Permission.writeGenerations.rawValue,
                reason: "imported drafts are authored by an ai_agent service account, and \(principal.name) is not one")
        }
        return actorID
    }

    private struct RolledBack: Error { let results: [LineResult] }

    /// A draft, its search vector if prepared, and the ids it gets.
    struct Line: Sendable {
        let draft: Draft
        let search: String?
        let articleID: UUID
        let generationID: UUID
    }

    static func problems(_ draft: Draft) -> [GalleyError.FieldProblem] {
        var problems = [
            Validation.nulProblem("model", draft.model), Validation.nulProblem("model_version", draft.modelVersion),
            Validation.nulProblem("prompt_version", draft.promptVersion), Validation.nulProblem("parameters", draft.parameters),
        ].compactMap { $0 }
        for (field, value) in [("model", draft.model), ("model_version", draft.modelVersion), ("prompt_version", draft.promptVersion)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 {
            problems.append(.init(field: field, message: "must be 1 to 200 characters"))
        }
        problems += GenerationLifecycle.tokenUsageProblems(input: draft.inputTokens, output: draft.outputTokens)
        return problems
    }

    /// The draft's section and cleaned tags, or every problem with it; a draft for a section
    /// off the importer's desk is refused.
    static func checked(_ draft: Draft, by principal: Principal) throws(GalleyError) -> (section: String, tags: [String]) {
        var problems = problems(draft)
        var checked: (section: String, tags: [String])?
        do { checked = try ArticleService.validated(section: draft.section, tags: draft.tags, slug: draft.slug) } catch {
            if case .validation(let found) = error { problems += found }
        }
        guard problems.isEmpty, let checked else { throw GalleyError.validation(problems) }
        try principal.requireDesk(checked.section, for: .writeGenerations)
        return checked
    }
}

extension GalleyServices {
    public var imports: ImportService { ImportService(env: environment) }
}
