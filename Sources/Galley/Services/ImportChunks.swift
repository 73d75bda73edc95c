import Foundation
import GalleyCore
import Postgres

/// How `importDrafts` writes drafts: a chunk at a time with set-based statements, or, when
/// that fails, one draft at a time as imports always did.
extension ImportService {
    /// Drafts written together in one round trip.
    static let chunkSize = 250

    private static let chunkSavepoint = Savepoint("chunk")
    private static let draftSavepoint = Savepoint("draft")

    /// Validates the chunk's drafts here, then writes the valid ones with one statement per
    /// table, sent in one round trip under a savepoint. If any statement fails (a slug taken
    /// meanwhile, a value the database refuses), the chunk is rolled back and imported again
    /// draft by draft, so that only the bad draft fails, with the error it always had.
    static func importChunk(
        _ chunk: ArraySlice<Line>, authorID: UUID, conn: PostgresConnection, caller: Caller, at now: Date
    ) throws -> [LineResult] {
        var results: [LineResult] = []
        var valid: [(line: Line, section: String, tags: [String])] = []
        for line in chunk {
            do {
                let (section, tags) = try checked(line.draft, by: caller.principal)
                valid.append((line, section, tags))
                results.append(LineResult(line: line.draft.line, status: .imported, articleID: line.articleID, generationID: line.generationID))
            } catch {
                results.append(LineResult(line: line.draft.line, status: .failed, error: error))
            }
        }
        if valid.isEmpty { return results }
        let rows = zip(valid, try slugs(for: valid.map(\.line), conn: conn)).map { item, slug in
            let draft = item.line.draft
            return ImportStore.Row(
                articleID: item.line.articleID, generationID: item.line.generationID, slug: slug, section: item.section,
                tags: item.tags, content: draft.content, search: item.line.search,
                brief: .init(section: item.section, tags: item.tags, title: draft.content.title), model: draft.model,
                modelVersion: draft.modelVersion, promptVersion: draft.promptVersion, parameters: draft.parameters,
                sources: draft.sources, inputTokens: draft.inputTokens, outputTokens: draft.outputTokens)
        }
        let events = rows.flatMap { row in
            [
                ArticleService.createdEvent(
                    id: row.articleID, slug: row.slug, section: row.section, origin: .ai, content: row.content, caller: caller, at: now),
                succeededEvent(
                    articleID: row.articleID, generationID: row.generationID, model: row.model, modelVersion: row.modelVersion,
                    promptVersion: row.promptVersion, attempt: 1, caller: caller, at: now),
            ]
        }
        do {
            _ = try conn.pipeline(
                [chunkSavepoint.setting] + ImportStore.inserts(rows, authorID: authorID, at: now)
                    + [AuditStore.insert(events), chunkSavepoint.releasing])
            return results
        } catch let error as PostgresError where error.kind == .server {
            try chunkSavepoint.rollBackAndRelease(conn)
            return try chunk.map { try importOne($0, authorID: authorID, conn: conn, caller: caller, at: now) }
        }
    }

    /// The slugs the drafts get, as `ArticleService.freeSlug` gives them one after another:
    /// the title's slug unless an article or an earlier draft has it, else that slug with a
    /// piece of the id. A draft's own slug is kept; if it is taken, the insert fails.
    private static func slugs(for lines: [Line], conn: PostgresConnection) throws -> [String] {
        let bases = lines.map { $0.draft.slug == nil ? ArticleService.slugBase($0.draft.content.title) : nil }
        let asked = bases.compactMap { $0 }
        let taken =
            asked.isEmpty
            ? [] : try ArticleStore.takenSlugs(conn, among: asked)
        var claimed = Set<String>()
        return zip(lines, bases).map { line, base in
            var slug = line.draft.slug ?? ""
            if let base {
                slug = taken.contains(base) || claimed.contains(base) ? ArticleService.takenSlug(base, id: line.articleID) : base
            }
            claimed.insert(slug)
            return slug
        }
    }

    /// One draft in a savepoint of its own: the way every draft was imported before chunks,
    /// and still the way when a chunk fails.
    private static func importOne(_ line: Line, authorID: UUID, conn: PostgresConnection, caller: Caller, at now: Date) throws -> LineResult {
        try draftSavepoint.set(conn)
        do {
            try insert(
                line.draft, articleID: line.articleID, generationID: line.generationID, authorID: authorID, conn: conn, caller: caller, at: now)
            try draftSavepoint.release(conn)
            return LineResult(line: line.draft.line, status: .imported, articleID: line.articleID, generationID: line.generationID)
        } catch let error as GalleyError {
            try draftSavepoint.rollBack(conn)
            return LineResult(line: line.draft.line, status: .failed, error: error)
        }
    }

    /// queued → running → succeeded, as the API would record it, with the article between.
    private static func insert(
        _ draft: Draft, articleID: UUID, generationID: UUID, authorID: UUID, conn: PostgresConnection, caller: Caller, at now: Date
    ) throws {
        let (section, tags) = try checked(draft, by: caller.principal)
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
            .init(
                status: .succeeded, attempt: 1, articleID: articleID, revision: 1, error: nil,
                inputTokens: draft.inputTokens, outputTokens: draft.outputTokens), at: now)
        try AuditStore.append(
            conn,
            succeededEvent(
                articleID: articleID, generationID: generationID, model: generation.model, modelVersion: generation.modelVersion,
                promptVersion: generation.promptVersion, attempt: generation.attempt, caller: caller, at: now))
    }

    /// The event of an imported generation's success, on its article's chain.
    private static func succeededEvent(
        articleID: UUID, generationID: UUID, model: String, modelVersion: String, promptVersion: String, attempt: Int,
        caller: Caller, at now: Date
    ) -> AuditEntry {
        AuditEntry(
            chain: AuditEntry.chain(article: articleID), principal: caller.principal, action: "generation.succeeded",
            articleID: articleID, revision: 1, fromState: GenerationStatus.running.rawValue,
            toState: GenerationStatus.succeeded.rawValue,
            details: [
                "generation_id": .string(generationID.uuidString.lowercased()), "model": .string(model),
                "model_version": .string(modelVersion), "prompt_version": .string(promptVersion),
                "attempt": .number(Double(attempt)), "imported": true,
            ],
            requestID: caller.requestID, at: now)
    }
}
