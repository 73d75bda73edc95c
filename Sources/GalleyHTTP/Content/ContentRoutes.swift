import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// How the published side is served (`galley serve` reads these from the environment).
public struct ContentSettings: Sendable {
    /// `GALLEY_CONTENT_CACHE_MB`: memory for rendered answers.
    public var cacheMegabytes: Int

    public init(cacheMegabytes: Int = 64) {
        self.cacheMegabytes = cacheMegabytes
    }
}

/// The content API: published articles for anyone, without a token (docs/content.md).
/// Answers are rendered once per change readers can see and served from memory between.
struct ContentRoutes {
    let services: GalleyServices
    let representations: Representations

    init(services: GalleyServices, settings: ContentSettings) {
        self.services = services
        representations = Representations(
            freshness: ContentFreshness(services: services), cache: BoundedCache(capacity: settings.cacheMegabytes << 20))
    }

    func register(on router: Router<GalleyRequestContext>) {
        router.get("content/v1/articles", use: list)
        router.get("content/v1/articles/:slug", use: article)
    }

    @Sendable func article(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        let slug = context.parameters.get("slug") ?? ""
        let content = services.content
        let representation = try await representations.current("article:" + slug) { atLeast in
            let read = try await content.article(slug: slug, atLeast: atLeast)
            return try Self.json(ContentArticleDTO(read.value), lastModified: read.value.updatedAt, generation: read.generation)
        }
        return representations.response(representation, for: request)
    }

    @Sendable func list(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        var query = ContentService.ListQuery()
        query.section = request.query("section")
        query.tag = request.query("tag")
        query.updatedSince = try request.queryDate("updated_since")
        if let text = request.typedQuery("limit") {
            guard let limit = Int(text), (1...ContentService.maxLimit).contains(limit) else {
                throw Problem.invalid("limit", "must be 1 to \(ContentService.maxLimit)")
            }
            query.limit = limit
        }
        query.cursor = request.query("cursor")
        // The parameters as understood, so that spellings of one query share an entry.
        let key = [
            "list", query.section ?? "", query.tag ?? "", query.updatedSince.map(RFC3339.format) ?? "", String(query.limit),
            query.cursor ?? "",
        ].joined(separator: "\u{1}")
        let content = services.content
        let representation = try await representations.current(key) { atLeast in
            let read = try await content.list(query, atLeast: atLeast)
            let page = ListDTO(items: read.value.items.map(ContentArticleDTO.init), next_cursor: read.value.nextCursor)
            return try Self.json(page, lastModified: read.value.items.map(\.updatedAt).max(), generation: read.generation)
        }
        return representations.response(representation, for: request)
    }

    static func json(_ value: some Encodable, lastModified: Date?, generation: Int64) throws -> Representation {
        Representation(
            body: try WireJSON.encoder.encode(value), contentType: "application/json", lastModified: lastModified,
            generation: generation)
    }
}
