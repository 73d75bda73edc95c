import Foundation
import GalleyCore
import Postgres

/// SQL for articles.
enum ArticleStore {
    static let select: SQL = "\(columns) FROM articles a LEFT JOIN actors e ON e.id = a.responsible_editor_id"

    /// The columns `article(_:)` decodes, from rows of `articles` named `a` and the
    /// responsible editor's actor row named `e`.
    static let columns: SQL = """
        SELECT a.id, a.slug, a.section, a.tags, a.origin, a.state, a.current_revision, a.live_revision, a.publish_at,
               e.name AS responsible_editor, a.version, a.created_at, a.updated_at
        """

    /// What a changing statement returns for `columns` to read.
    static let returning: SQL = """
        RETURNING id, slug, section, tags, origin, state, current_revision, live_revision, publish_at, responsible_editor_id,
                  version, created_at, updated_at
        """

    static func article(_ row: PostgresRow) throws -> Article {
        Article(
            id: try row.decode("id"), slug: try row.decode("slug"), section: try row.decode("section"),
            tags: try row.decode("tags"), origin: try row.enumValue("origin"), state: try row.enumValue("state"),
            currentRevision: try row.decode("current_revision"), liveRevision: try row.decode("live_revision"),
            publishAt: try row.decode("publish_at"), responsibleEditor: try row.decode("responsible_editor"),
            version: try row.decode("version"), createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"))
    }

    static func fetch(_ conn: PostgresConnection, id: UUID) throws -> Article {
        try conn.read(one(id))
    }

    /// The number of the article's current revision when the statement runs, as a subquery:
    /// for reads sent in one pipeline with (or before) the article's own row.
    static func currentRevision(of id: UUID) -> SQL {
        "(SELECT current_revision FROM articles WHERE id = \(id))"
    }

    static func one(_ id: UUID) -> StoreRead<Article> {
        StoreRead(sql: "\(select) WHERE a.id = \(id)") { rows in
            guard let row = rows.single else { throw GalleyError.notFound(kind: "article", id: id.uuidString.lowercased()) }
            return try article(row)
        }
    }

    /// Takes the article's row lock and bumps its version, for changes that add records to
    /// an article (verdicts, claims) without moving its state: they serialise with every
    /// other change of the article and make stale `If-Match` headers fail.
    static func lockAndTouch(_ conn: PostgresConnection, id: UUID, expectedVersion: ExpectedVersion?, at: Date) throws -> Article {
        let touched = try conn.read(touching(id, at: at))
        try expectedVersion?.check(touched.version - 1)
        return touched
    }

    /// `lockAndTouch` without the version check, as a step of a pipeline.
    static func touching(_ id: UUID, at: Date) -> StoreRead<Article> {
        StoreRead(
            sql: """
                WITH a AS (UPDATE articles SET version = version + 1, updated_at = \(at) WHERE id = \(id) \(returning))
                \(columns) FROM a LEFT JOIN actors e ON e.id = a.responsible_editor_id
                """
        ) { rows in
            guard let row = rows.single else { throw GalleyError.notFound(kind: "article", id: id.uuidString.lowercased()) }
            return try article(row)
        }
    }

    static func searchVector(_ content: ArticleContent) -> SQL {
        searchVector(title: "\(content.title)", dek: "\(content.dek)", body: "\(content.body)")
    }

    /// The search vector over any three text expressions (parameters or columns): the title
    /// weighs most, then the dek, then the body. The one definition, for imports too.
    static func searchVector(title: SQL, dek: SQL, body: SQL) -> SQL {
        """
        setweight(to_tsvector('english', \(title)), 'A') || setweight(to_tsvector('english', \(dek)), 'B')
            || to_tsvector('english', \(body))
        """
    }

    /// The article's row and its search vector, for a caller's pipeline; `isTakenSlug`
    /// recognises its failure when another article took the slug meanwhile.
    static func inserting(
        id: UUID, slug: String, section: String, tags: [String], origin: Origin, content: ArticleContent, at: Date
    ) -> SQL {
        """
        WITH a AS (
            INSERT INTO articles (id, slug, section, tags, origin, state, current_revision, created_at, updated_at)
            VALUES (\(id), \(slug), \(section), \(tags), \(origin.rawValue), 'draft', 1, \(at), \(at)) RETURNING id)
        INSERT INTO article_search (article_id, search) SELECT a.id, \(searchVector(content)) FROM a
        """
    }

    static func isTakenSlug(_ error: PostgresError) -> Bool {
        error.isUniqueViolation && error.constraint == "articles_slug_key"
    }

    /// `body`'s writes, with another article's taking the slug meanwhile thrown as `conflict`.
    static func refusingTakenSlug<Result>(_ slug: String, orThrowing conflict: GalleyError, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as PostgresError where isTakenSlug(error) {
            throw conflict
        }
    }

    /// Whether a slug is free; creation picks another when it is not.
    static func slugExists(_ conn: PostgresConnection, _ slug: String) throws -> Bool {
        try !conn.query("SELECT 1 FROM articles WHERE slug = \(slug)").isEmpty
    }

    /// Which of `slugs` articles already have.
    static func takenSlugs(_ conn: PostgresConnection, among slugs: [String]) throws -> Set<String> {
        Set(try conn.query("SELECT slug FROM articles WHERE slug = ANY(\(slugs))").map { try $0.decode("slug", as: String.self) })
    }

    /// The columns a transition or edit may change, written only if nobody changed the
    /// article since `article.version` was read; zero rows is a lost race.
    struct Change: Sendable {
        var state: ArticleState
        var currentRevision: Int
        var liveRevision: Int?
        var publishAt: Date?
        var responsibleEditorID: UUID?
        var keepResponsibleEditor: Bool
        var search: ArticleContent?
        /// While scheduled: the correction note the scheduler publishes with.
        var scheduledCorrectionNote: String? = nil
    }

    /// The answer of `updateStatement`: the changed article, or a conflict after a lost race.
    static func changed(_ rows: PostgresRows, from article: Article) throws -> Article {
        guard let row = rows.single else { throw lostRace(article) }
        return try self.article(row)
    }

    static func lostRace(_ article: Article) -> GalleyError {
        .conflict("Article \(article.id.uuidString.lowercased()) was changed by someone else at the same time; fetch it again and retry.")
    }

    /// A planned change and the rows that go with it, in one round trip (followed in it by
    /// `COMMIT` when `committing`); the article as changed, or `conflict` after a lost race.
    static func write(_ planned: PlannedChange, conn: PostgresConnection, committing: Bool) throws -> Article {
        let statements = planned.records + [updateStatement(planned)]
        let results = try committing ? conn.pipelineCommitting(statements) : conn.pipeline(statements)
        return try changed(results[planned.records.count], from: planned.article)
    }

    /// A planned change (without rows of its own) written only while `condition` holds as
    /// well as the article's version: the article as changed, or nil.
    static func conditionalWrite(_ planned: PlannedChange, onlyIf condition: SQL) -> StoreRead<Article?> {
        StoreRead(sql: updateStatement(planned, onlyIf: condition)) { try $0.single.map(article) }
    }

    private static func updateStatement(_ planned: PlannedChange, onlyIf condition: SQL? = nil) -> SQL {
        updateStatement(
            planned.article, planned.change, at: planned.event.at, event: planned.event, alongside: planned.alongside, onlyIf: condition)
    }

    /// `statements` (for a WITH list, reading the article as `a`: its `id` and `section`) as
    /// one statement on the article `id`, for a transaction's pipeline.
    static func alongside(_ id: UUID, _ statements: [SQL]) -> StoreRead<Void> {
        StoreRead(sql: "WITH a AS (SELECT id, section FROM articles WHERE id = \(id))\(withList(statements)) SELECT 1") { _ in }
    }

    /// `, s0 AS (…), s1 AS (…)`: statements run with the change.
    private static func withList(_ statements: [SQL]) -> SQL {
        var sql: SQL = ""
        for (index, statement) in statements.enumerated() {
            sql.append(SQL(stringLiteral: ", s\(index) AS (") + statement + ")")
        }
        return sql
    }

    /// Writes `change` and appends its audit event in one statement, with the statements
    /// `alongside` it (reading the changed article as `a`), so all happen or none. Its answer (read with `changed`) is the article as changed, or no row when
    /// someone changed the article since `article.version` was read (or `condition`, when
    /// given, does not hold).
    static func updateStatement(
        _ article: Article, _ change: Change, at: Date, event: AuditEntry, alongside: [SQL] = [], onlyIf condition: SQL? = nil
    ) -> SQL {
        var sql: SQL = """
            WITH a AS (
                UPDATE articles SET state = \(change.state.rawValue), current_revision = \(change.currentRevision),
                    live_revision = \(change.liveRevision), publish_at = \(change.publishAt),
                    scheduled_correction_note = \(change.scheduledCorrectionNote),
                    version = version + 1, updated_at = \(at)
            """
        if !change.keepResponsibleEditor { sql.append(", responsible_editor_id = \(change.responsibleEditorID)") }
        sql.append(" WHERE id = \(article.id) AND version = \(article.version)")
        if let condition { sql.append(" AND \(condition)") }
        sql.append(" \(returning)),")
        if let content = change.search {
            sql.append(" searched AS (UPDATE article_search s SET search = \(searchVector(content)) FROM a WHERE s.article_id = a.id),")
        }
        sql.append(
            """
             logged AS (\(AuditStore.insert(event, onlyAfter: "a")))\(withList(alongside))
            \(columns) FROM a LEFT JOIN actors e ON e.id = a.responsible_editor_id
            """)
        return sql
    }

    /// `updateStatement` on its own: the article as changed, or a conflict after a lost race.
    static func update(
        _ conn: PostgresConnection, _ article: Article, _ change: Change, at: Date, event: AuditEntry, alongside: [SQL] = []
    ) throws -> Article {
        try changed(try conn.query(updateStatement(article, change, at: at, event: event, alongside: alongside)), from: article)
    }

    /// Articles due for publication with the correction note given when they were
    /// scheduled, claimed so that other schedulers skip them; `excluding` those this
    /// scheduler already tried.
    static func claimDue(
        _ conn: PostgresConnection, now: Date, limit: Int, excluding tried: [UUID]
    ) throws -> [(id: UUID, correctionNote: String?)] {
        try conn.query(
            """
            SELECT id, scheduled_correction_note FROM articles
            WHERE state = 'scheduled' AND publish_at <= \(now) AND NOT (id = ANY (\(TextArray(tried))::uuid[]))
            ORDER BY publish_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """
        ).map { (id: try $0.decode("id"), correctionNote: try $0.decode("scheduled_correction_note")) }
    }
}
