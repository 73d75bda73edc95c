import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// The public review record of a published article: as JSON-LD, and as the page "How this
/// article was checked". Both are rendered once per public change, as the articles are.
extension ContentRoutes {
    /// What the page says to browsers: it runs no script and loads nothing, and is never framed.
    static let checkedPagePolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    @Sendable func reviewRecord(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        let slug = context.parameters.get("slug") ?? ""
        let (content, reviewers) = (services.content, settings.publicReviewers)
        let representation = try await representations.current("record:" + slug) { atLeast in
            let read = try await content.reviewRecord(slug: slug, reviewers: reviewers, atLeast: atLeast)
            return Representation(
                body: try WireJSON.encoder.encode(ReviewRecordDocument(read.value)), contentType: "application/ld+json",
                lastModified: read.value.lastChanged, generation: read.generation)
        }
        return representations.response(representation, for: request)
    }

    @Sendable func checkedPage(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        let slug = context.parameters.get("slug") ?? ""
        let (content, reviewers) = (services.content, settings.publicReviewers)
        let representation = try await representations.current("checked:" + slug) { atLeast in
            let read = try await content.reviewRecord(slug: slug, reviewers: reviewers, atLeast: atLeast)
            guard let html = DeskPages.bundled.library.render(DeskPages.lookupReady(CheckedPage(read.value)), withTemplate: "public-checked")
            else { fatalError("the template public-checked is missing from the bundle") }
            return Representation(
                body: Array(html.utf8), contentType: "text/html; charset=utf-8", lastModified: read.value.lastChanged,
                generation: read.generation)
        }
        var response = representations.response(representation, for: request)
        response.headers[.contentSecurityPolicy] = Self.checkedPagePolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }
}
