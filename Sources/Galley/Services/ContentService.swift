import Foundation
import GalleyCore
import Postgres

/// The published side, for anyone without a token: live articles and retractions only
/// (docs/content.md). Every read says which count of public changes it includes, so that
/// rendered representations can be kept until the count moves.
public struct ContentService: Sendable {
    let env: GalleyEnvironment

    public static let defaultLimit = 15
    public static let maxLimit = 50

    /// The count of public changes committed so far (`content_generation`): one index probe,
    /// on the primary, so that a reader is never told of a count older than a change it saw.
    public func generation() async throws -> Int64 {
        try await env.quickRead(confirmingCredentialItself: ContentStore.generation)
    }

    /// The article with `slug` as readers may see it, including at least the public changes
    /// counted by `generation` (`atLeast`); `notFound` when it is not published (a draft, one
    /// in review, unpublished, spiked) or does not exist.
    public func article(slug: String, atLeast: Int64 = 0) async throws -> PublicRead<PublicArticle> {
        guard Validation.isSlug(slug) else { throw GalleyError.notFound(kind: "published article", id: slug) }
        let (generation, (row, notices)) = try await read(atLeast: atLeast) { conn in
            let (generation, row, notices) = try conn.read(
                ContentStore.generation, ContentStore.article(slug: slug), ContentStore.corrections(slug: slug))
            return (generation, (row, notices))
        }
        guard let row else { throw GalleyError.notFound(kind: "published article", id: slug) }
        return PublicRead(value: row.article(notices: notices), generation: generation)
    }

    public struct ListQuery: Sendable {
        public var section: String?
        public var tag: String?
        public var updatedSince: Date?
        public var limit: Int = ContentService.defaultLimit
        public var cursor: String?
        public init() {}
    }

    /// Live articles, first published newest first, including at least the public changes
    /// counted by `generation` (`atLeast`).
    public func list(_ query: ListQuery, atLeast: Int64 = 0) async throws -> PublicRead<Page<PublicArticle>> {
        var problems: [GalleyError.FieldProblem] = []
        if !(1...Self.maxLimit).contains(query.limit) { problems.append(.init(field: "limit", message: "must be 1 to \(Self.maxLimit)")) }
        if let section = query.section, !Validation.isSlug(section) {
            problems.append(.init(field: "section", message: "must be a lowercase slug such as politics"))
        }
        if let tag = query.tag, tag.count > 60 || tag.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.append(.init(field: "tag", message: "must be a tag of up to 60 characters, without control characters"))
        }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let after = try query.cursor.map(ListCursor.decode)
        let filter = ContentStore.ListFilter(section: query.section, tag: query.tag, updatedSince: query.updatedSince)
        let limit = query.limit
        let (generation, (rows, notices)) = try await read(atLeast: atLeast) { conn in
            let (generation, rows) = try conn.read(ContentStore.generation, ContentStore.list(filter, after: after, limit: limit + 1))
            let page = Array(rows.prefix(limit))
            return (generation, (rows, try conn.read(ContentStore.corrections(of: page.map(\.revision.articleID)))))
        }
        let page = rows.prefix(limit).map { $0.article(notices: notices[$0.revision.articleID] ?? []) }
        let next = rows.count > limit ? page.last.map { ListCursor.encode($0.publishedAt, $0.id) } : nil
        return PublicRead(value: Page(items: page, nextCursor: next), generation: generation)
    }

    /// How many live articles the Atom feed holds.
    public static let feedLength = 50

    /// The Atom feed's articles: the newest live ones, first published newest first,
    /// including at least the public changes counted by `generation` (`atLeast`).
    public func feed(section: String?, tag: String?, atLeast: Int64 = 0) async throws -> PublicRead<[PublicArticle]> {
        var query = ListQuery()
        query.section = section
        query.tag = tag
        query.limit = Self.feedLength
        let read = try await list(query, atLeast: atLeast)
        return PublicRead(value: read.value.items, generation: read.generation)
    }

    /// Google News lists what went live in the last two days, at most 1,000 articles.
    public static let newsWindow: TimeInterval = 48 * 3600
    public static let newsLimit = 1_000

    /// Live articles first published within `newsWindow` of now, newest first, at most
    /// `newsLimit`, including at least the public changes counted by `generation` (`atLeast`).
    public func news(atLeast: Int64 = 0) async throws -> PublicRead<[PublicHeadline]> {
        let since = env.now().addingTimeInterval(-Self.newsWindow)
        let (generation, headlines) = try await read(atLeast: atLeast) { conn in
            try conn.read(ContentStore.generation, ContentStore.headlines(firstPublishedSince: since, limit: Self.newsLimit))
        }
        return PublicRead(value: headlines, generation: generation)
    }

    /// `body`'s reads (the count of public changes first, then what they render) from the
    /// replica when it has replayed at least `atLeast` public changes, else from the primary.
    func read<Value: Sendable>(
        atLeast: Int64, _ body: @escaping @Sendable (PostgresConnection) throws -> (Int64, Value)
    ) async throws -> (Int64, Value) {
        let read = try await env.replicaRead(for: nil, body)
        if read.0 >= atLeast || env.replica == nil { return read }
        return try await env.read(body)
    }
}

extension GalleyServices {
    public var content: ContentService { ContentService(env: environment) }
}
