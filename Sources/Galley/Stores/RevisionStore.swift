import Foundation
import GalleyCore
import Postgres

/// SQL for revisions and their sources. Both are immutable once written.
enum RevisionStore {
    /// A revision with its author's name and its sources as four aligned arrays (text arrays
    /// parse far cheaper than a jsonb list of objects; `retrieved_at` is '' when unknown).
    /// `ARRAY(…)` keeps its subquery's order, which the primary key's index gives without a
    /// sort (an aggregate's `ORDER BY` sorted once per array).
    static let select: SQL = """
        SELECT r.article_id, r.number, r.title, r.dek, r.body, r.insight, r.disclosure, r.content_hash, r.author_id,
               au.name AS author, r.generation_id, r.digital_source_type, r.created_at,
               ARRAY(SELECT s.url FROM sources s WHERE s.article_id = r.article_id AND s.revision = r.number
                     ORDER BY s.position) AS source_urls,
               ARRAY(SELECT s.outlet FROM sources s WHERE s.article_id = r.article_id AND s.revision = r.number
                     ORDER BY s.position) AS source_outlets,
               ARRAY(SELECT s.title FROM sources s WHERE s.article_id = r.article_id AND s.revision = r.number
                     ORDER BY s.position) AS source_titles,
               ARRAY(SELECT COALESCE(s.retrieved_at::text, '') FROM sources s
                     WHERE s.article_id = r.article_id AND s.revision = r.number ORDER BY s.position) AS source_retrieved
        FROM revisions r JOIN actors au ON au.id = r.author_id
        """

    /// The names of `select`'s columns, for statements that read two revisions in one row
    /// (`prefixed(_:as:)`).
    private static let columnNames = [
        "article_id", "number", "title", "dek", "body", "insight", "disclosure", "content_hash", "author_id", "author",
        "generation_id", "digital_source_type", "created_at", "source_urls", "source_outlets", "source_titles",
        "source_retrieved",
    ]

    /// `select`'s columns from the subquery `alias`, each renamed `<prefix><name>` for
    /// `revision(_:prefix:)`. Both names are constants of our own code.
    static func prefixed(_ alias: StaticString, as prefix: StaticString) -> SQL {
        SQL(stringLiteral: columnNames.map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", "))
    }

    static func revision(_ row: PostgresRow) throws -> Revision {
        try revision(row, prefix: "")
    }

    static func revision(_ row: PostgresRow, prefix: String) throws -> Revision {
        func column(_ name: String) -> String { prefix.isEmpty ? name : prefix + name }
        let urls = try row.decode(column("source_urls"), as: [String].self)
        let outlets = try row.decode(column("source_outlets"), as: [String].self)
        let titles = try row.decode(column("source_titles"), as: [String].self)
        let retrieved = try row.decode(column("source_retrieved"), as: [String].self)
        guard outlets.count == urls.count, titles.count == urls.count, retrieved.count == urls.count else {
            throw PostgresError(kind: .decoding, message: "a revision's source columns differ in length")
        }
        let sources = urls.indices.map { index in
            Source(
                url: urls[index], outlet: outlets[index], title: titles[index],
                retrievedAt: retrieved[index].isEmpty ? nil : PostgresTimestamp.parse(retrieved[index]))
        }
        let content = ArticleContent(
            stored: try row.decode(column("title")), dek: try row.decode(column("dek")), body: try row.decode(column("body")),
            insight: try row.decode(column("insight")), disclosure: try row.decode(column("disclosure")), sources: sources,
            contentHash: try row.decode(column("content_hash")))
        return Revision(
            articleID: try row.decode(column("article_id")), number: try row.decode(column("number")), content: content,
            authorID: try row.decode(column("author_id")), author: try row.decode(column("author")),
            generationID: try row.decode(column("generation_id")),
            digitalSourceType: try row.decode(column("digital_source_type"), as: String?.self).flatMap(DigitalSourceType.init(rawValue:)),
            createdAt: try row.decode(column("created_at")))
    }

    static func fetch(_ conn: PostgresConnection, articleID: UUID, number: Int) throws -> Revision {
        try conn.read(one(articleID: articleID, number: number))
    }

    static func one(articleID: UUID, number: Int) -> StoreRead<Revision> {
        StoreRead(sql: "\(select) WHERE r.article_id = \(articleID) AND r.number = \(number)") { rows in
            guard let row = rows.single else {
                throw GalleyError.notFound(kind: "revision", id: "\(number) of article \(articleID.uuidString.lowercased())")
            }
            return try revision(row)
        }
    }

    /// The revision an article's row names as current when the statement runs.
    static func current(articleID: UUID) -> StoreRead<Revision> {
        StoreRead(
            sql: "\(select) WHERE r.article_id = \(articleID) AND r.number = \(ArticleStore.currentRevision(of: articleID))"
        ) { rows in
            guard let row = rows.single else { throw GalleyError.notFound(kind: "article", id: articleID.uuidString.lowercased()) }
            return try revision(row)
        }
    }

    static func list(_ conn: PostgresConnection, articleID: UUID) throws -> [Revision] {
        try conn.query("\(select) WHERE r.article_id = \(articleID) ORDER BY r.number").map(revision)
    }

    /// The current revision of each article, keyed by article id.
    static func current(of articles: [Article]) -> StoreRead<[UUID: Revision]> {
        let ids = articles.map { $0.id.uuidString }
        let numbers = articles.map { String($0.currentRevision) }
        return StoreRead(
            sql: """
                \(select) JOIN unnest(\(ids)::uuid[], \(numbers)::int[]) AS want(article_id, number)
                    ON want.article_id = r.article_id AND want.number = r.number
                """
        ) { rows in
            var byArticle: [UUID: Revision] = [:]
            for row in rows {
                let revision = try revision(row)
                byArticle[revision.articleID] = revision
            }
            return byArticle
        }
    }

    /// The statements that store a revision and its sources, for a caller's pipeline.
    static func inserting(
        articleID: UUID, number: Int, content: ArticleContent, authorID: UUID, generationID: UUID?,
        digitalSourceType: DigitalSourceType?, at: Date
    ) -> [SQL] {
        let revision: SQL = """
            INSERT INTO revisions (article_id, number, title, dek, body, insight, disclosure, content_hash, author_id,
                                   generation_id, digital_source_type, created_at)
            VALUES (\(articleID), \(number), \(content.title), \(content.dek), \(content.body), \(content.insight),
                    \(content.disclosure), \(content.contentHash), \(authorID), \(generationID),
                    \(digitalSourceType?.rawValue), \(at))
            """
        if content.sources.isEmpty { return [revision] }
        let urls = content.sources.map(\.url)
        let outlets = content.sources.map(\.outlet)
        let titles = content.sources.map(\.title)
        let retrieved = content.sources.map { $0.retrievedAt.map(RFC3339.format) ?? "" }
        return [
            revision,
            """
            INSERT INTO sources (article_id, revision, position, url, outlet, title, retrieved_at)
            SELECT \(articleID), \(number), s.position, s.url, s.outlet, s.title, NULLIF(s.retrieved_at, '')::timestamptz
            FROM unnest(\(urls)::text[], \(outlets)::text[], \(titles)::text[], \(retrieved)::text[])
                WITH ORDINALITY AS s(url, outlet, title, retrieved_at, position)
            """,
        ]
    }
}
