import Foundation
import GalleyCore
import Postgres

/// SQL that writes many imported drafts with one statement per table. Each row is what the
/// row-at-a-time stores leave for one draft (ArticleStore.inserting, RevisionStore.inserting,
/// GenerationStore.insert and its two updates): written that way, an import took eleven
/// round trips a draft. Tests compare the two ways column by column.
enum ImportStore {
    /// One validated draft and the ids and slug it gets.
    struct Row: Sendable {
        var articleID: UUID
        var generationID: UUID
        var slug: String
        var section: String
        var tags: [String]
        var content: ArticleContent
        /// The article's search vector as text, if `searchVectors` computed it beforehand.
        var search: String?
        var brief: Generation.Brief
        var model: String
        var modelVersion: String
        var promptVersion: String
        var parameters: JSONValue
        /// The sources the model was given; the revision's own are in `content`.
        var sources: [Source]
        var inputTokens: Int?
        var outputTokens: Int?
    }

    /// The articles' search vectors, as text, in order. Computing them is most of an
    /// import's work in the database; done on a connection of its own, outside the importing
    /// transaction, it runs while another chunk is written. A vector's text reads back as
    /// exactly the same vector.
    static func searchVectors(_ conn: PostgresConnection, of contents: [ArticleContent]) throws -> [String] {
        try conn.query(
            """
            SELECT (\(ArticleStore.searchVector(title: "d.title", dek: "d.dek", body: "d.body")))::text AS search
            FROM unnest(\(TextArray(contents.map { $0.title }))::text[], \(TextArray(contents.map { $0.dek }))::text[],
                        \(TextArray(contents.map { $0.body }))::text[]) WITH ORDINALITY AS d(title, dek, body, position)
            ORDER BY d.position
            """
        ).map { try $0.decode("search") }
    }

    /// The statements for the rows, in an order the foreign keys accept; the caller adds the
    /// audit events (`AuditStore.insert(_:)`).
    static func inserts(_ rows: [Row], authorID: UUID, at now: Date) -> [SQL] {
        func column<Value: PostgresEncodable>(_ value: (Row) -> Value) -> TextArray { TextArray(rows.map(value)) }
        // The text a search vector is computed from, sent only when not computed beforehand.
        func text(_ value: @escaping (ArticleContent) -> String) -> TextArray { column { $0.search == nil ? value($0.content) : nil } }
        // An AI draft's article and revision 1, as ArticleService.insertArticle writes them.
        let articles: SQL = """
            INSERT INTO articles (id, slug, section, tags, origin, state, current_revision, created_at, updated_at)
            SELECT a.id, a.slug, a.section, a.tags::text[], \(Origin.ai.rawValue), 'draft', 1, \(now), \(now)
            FROM unnest(\(column { $0.articleID })::uuid[], \(column { $0.slug })::text[], \(column { $0.section })::text[],
                        \(column { $0.tags })::text[])
                AS a(id, slug, section, tags)
            """
        let searches: SQL = """
            INSERT INTO article_search (article_id, search)
            SELECT s.article_id, COALESCE(s.search::tsvector, \(ArticleStore.searchVector(title: "s.title", dek: "s.dek", body: "s.body")))
            FROM unnest(\(column { $0.articleID })::uuid[], \(column { $0.search })::text[], \(text { $0.title })::text[],
                        \(text { $0.dek })::text[], \(text { $0.body })::text[])
                AS s(article_id, search, title, dek, body)
            """
        // The generation as it stands after queued → running → succeeded.
        let generations: SQL = """
            INSERT INTO generations (id, article_id, brief, model, model_version, prompt_version, parameters, sources,
                                     status, attempt, max_attempts, input_tokens, output_tokens, revision, requested_by,
                                     created_at, started_at, finished_at, updated_at)
            SELECT g.id, g.article_id, g.brief, g.model, g.model_version, g.prompt_version, g.parameters, g.sources,
                   \(GenerationStatus.succeeded.rawValue), 1, \(GenerationLifecycle.defaultMaxAttempts), g.input_tokens,
                   g.output_tokens, 1, \(authorID), \(now), \(now), \(now), \(now)
            FROM unnest(\(column { $0.generationID })::uuid[], \(column { $0.articleID })::uuid[], \(column { JSONB($0.brief) })::jsonb[],
                        \(column { $0.model })::text[], \(column { $0.modelVersion })::text[], \(column { $0.promptVersion })::text[],
                        \(column { $0.parameters })::jsonb[], \(column { JSONB($0.sources) })::jsonb[],
                        \(column { $0.inputTokens })::integer[], \(column { $0.outputTokens })::integer[])
                AS g(id, article_id, brief, model, model_version, prompt_version, parameters, sources, input_tokens, output_tokens)
            """
        let revisions: SQL = """
            INSERT INTO revisions (article_id, number, title, dek, body, insight, disclosure, content_hash, author_id,
                                   generation_id, digital_source_type, created_at)
            SELECT r.article_id, 1, r.title, r.dek, r.body, r.insight, r.disclosure, r.content_hash, \(authorID),
                   r.generation_id, \(DigitalSourceType.trainedAlgorithmicMedia.rawValue), \(now)
            FROM unnest(\(column { $0.articleID })::uuid[], \(column { $0.content.title })::text[], \(column { $0.content.dek })::text[],
                        \(column { $0.content.body })::text[], \(column { $0.content.insight })::text[],
                        \(column { $0.content.disclosure })::text[], \(column { $0.content.contentHash })::text[],
                        \(column { $0.generationID })::uuid[])
                AS r(article_id, title, dek, body, insight, disclosure, content_hash, generation_id)
            """
        // Revision 1's sources, numbered from 1 in the given order.
        let sources = rows.flatMap { row in
            row.content.sources.enumerated().map { (article: row.articleID, position: $0.offset + 1, source: $0.element) }
        }
        let sourceRows: SQL = """
            INSERT INTO sources (article_id, revision, position, url, outlet, title, retrieved_at)
            SELECT s.article_id, 1, s.position, s.url, s.outlet, s.title, s.retrieved_at
            FROM unnest(\(TextArray(sources.map { $0.article }))::uuid[], \(TextArray(sources.map { $0.position }))::integer[],
                        \(TextArray(sources.map { $0.source.url }))::text[], \(TextArray(sources.map { $0.source.outlet }))::text[],
                        \(TextArray(sources.map { $0.source.title }))::text[], \(TextArray(sources.map { $0.source.retrievedAt }))::timestamptz[])
                AS s(article_id, position, url, outlet, title, retrieved_at)
            """
        return [articles, searches, generations, revisions] + (sources.isEmpty ? [] : [sourceRows])
    }
}
