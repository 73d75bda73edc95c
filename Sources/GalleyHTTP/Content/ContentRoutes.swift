import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// How the published side is served (`galley serve` reads these from the environment).
public struct ContentSettings: Sendable {
    /// `GALLEY_CONTENT_CACHE_MB`: memory for rendered answers.
    public var cacheMegabytes: Int
    /// `GALLEY_CONTENT_RATE`: what one client address may ask of the public routes; nil
    /// leaves them unlimited.
    public var rateLimit: RateLimit?
    /// `GALLEY_PUBLIC_REVIEWERS`: whether the public review record names reviewers.
    public var publicReviewers: PublicReviewers
    /// `GALLEY_PUBLIC_URL`: the base of the feeds' absolute addresses; nil: the request's `Host`.
    public var publicURL: URL?
    /// `GALLEY_PUBLICATION_NAME` and `GALLEY_PUBLICATION_LANGUAGE`, for the feeds.
    public var publicationName: String
    public var publicationLanguage: String
    /// `GALLEY_ARTICLE_URL`: the site's address of an article, `{slug}` standing for its slug.
    public var articleURL: String?

    public init(
        cacheMegabytes: Int = 64, rateLimit: RateLimit? = .contentDefault, publicReviewers: PublicReviewers = .roles,
        publicURL: URL? = nil, publicationName: String = "Galley", publicationLanguage: String = "en", articleURL: String? = nil
    ) {
        self.cacheMegabytes = cacheMegabytes
        self.rateLimit = rateLimit
        self.publicReviewers = publicReviewers
        self.publicURL = publicURL
        self.publicationName = publicationName
        self.publicationLanguage = publicationLanguage
        self.articleURL = articleURL
    }
}

/// The content API: published articles for anyone, without a token (docs/content.md).
/// Answers are rendered once per change readers can see and served from memory between.
struct ContentRoutes {
    let services: GalleyServices
    let settings: ContentSettings
    let representations: Representations

    init(services: GalleyServices, settings: ContentSettings, metrics: HTTPMetrics) {
        self.services = services
        self.settings = settings
        representations = Representations(
            freshness: ContentFreshness(services: services, metrics: metrics), cache: BoundedCache(capacity: settings.cacheMegabytes << 20),
            now: services.environment.now)
    }

    func register(on router: Router<GalleyRequestContext>) {
        router.get("content/v1/articles", use: list)
        router.get("content/v1/articles/:slug", use: article)
        router.get("content/v1/articles/{slug}.jsonld", use: reviewRecord)
        router.get("articles/:slug/checked", use: checkedPage)
        router.get("content/v1/feed.atom", use: feed)
        router.get("content/v1/sitemap-news.xml", use: newsSitemap)
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
