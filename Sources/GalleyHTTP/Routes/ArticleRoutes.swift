import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// `/v1/articles`: create, list, read, and new revisions.
struct ArticleRoutes {
    let services: GalleyServices

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.post("articles", use: create)
        group.get("articles", use: list)
        group.get("articles/:id", use: show)
        group.post("articles/:id/revisions", use: addRevision)
        group.get("articles/:id/revisions", use: revisions)
        group.get("articles/:id/revisions/:number", use: revision)
        group.get("articles/:id/revisions/:number/diff", use: diff)
    }

    @Sendable func create(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let (input, body) = try await request.decodeJSON(NewArticleInput.self, context: context)
        return try await idempotent(request, context: context, body: body, services: services) {
            let new = ArticleService.NewArticle(
                content: try input.content.content(), section: input.section, tags: input.tags ?? [], slug: input.slug)
            let detail = try await services.articles.create(new, by: caller)
            var headers = etag(detail.article.version)
            headers[.location] = "/v1/articles/\(detail.article.id.uuidString.lowercased())"
            return try Reply(.created, ArticleDTO(detail), headers: headers)
        }
    }

    @Sendable func list(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        var query = ArticleService.ListQuery()
        query.state = try request.query("state", as: ArticleState.self)
        query.section = request.query("section")
        query.origin = try request.query("origin", as: Origin.self)
        query.tag = request.query("tag")
        query.live = try request.queryBool("live")
        query.updatedSince = try request.queryDate("updated_since")
        query.text = request.query("q")
        query.limit = try request.limit()
        query.cursor = request.query("cursor")
        // `fields=`: only those members, read and written without what is not asked for.
        if let fields = try request.typedQuery("fields").map(ArticleField.parse) {
            let page = try await services.articles.list(query, fields: fields, by: caller)
            return try Reply(.ok, ListDTO(items: ArticleFieldsDTO.list(page.items, fields: fields), next_cursor: page.nextCursor))
        }
        let page = try await services.articles.list(query, by: caller)
        return try Reply(.ok, ListDTO(items: page.items.map { ArticleDTO($0.0, current: $0.1) }, next_cursor: page.nextCursor))
    }

    @Sendable func show(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let detail = try await services.articles.get(try request.id("id", context: context), by: try context.requireCaller())
        return try Reply(.ok, ArticleDTO(detail), headers: etag(detail.article.version))
    }

    @Sendable func addRevision(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context)
        let expected = try request.expectedVersion
        let (input, body) = try await request.decodeJSON(ContentInput.self, context: context)
        return try await idempotent(request, context: context, body: body, services: services) {
            let detail = try await services.articles.edit(id, content: try input.content(), expectedVersion: expected, by: caller)
            return try Reply(.created, ArticleDTO(detail), headers: etag(detail.article.version))
        }
    }

    @Sendable func revisions(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let revisions = try await services.articles.revisions(try request.id("id", context: context), by: try context.requireCaller())
        return try Reply(.ok, ItemsDTO(items: revisions.map(RevisionDTO.init)))
    }

    @Sendable func revision(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let revision = try await services.articles.revision(
            try request.id("id", context: context), number: try request.number("number", context: context), by: try context.requireCaller())
        return try Reply(.ok, RevisionDTO(revision))
    }

    @Sendable func diff(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let number = try request.number("number", context: context)
        guard let againstText = request.typedQuery("against"), let against = Int(againstText), (1...Int(Int32.max)).contains(against) else {
            throw Problem.invalid("against", "give the revision number to compare with, e.g. ?against=1")
        }
        let segments = try await services.articles.diff(
            try request.id("id", context: context), number: number, against: against, by: try context.requireCaller())
        return try Reply(.ok, DiffDTO(revision: number, against: against, segments: segments.map { .init(op: $0.kind.rawValue, text: $0.text) }))
    }
}
