import Foundation
import Galley
import GalleyCore
import Hummingbird

/// `/desk/articles/{id}`: one article's review on one page, and its forms. A form the domain
/// refuses shows the same page again with the refusal in words and the form as it was sent;
/// one it accepts leads back to the page (303).
struct DeskReviewRoutes {
    let services: GalleyServices
    let pages: DeskPages

    func register(on desk: RouterGroup<GalleyRequestContext>) {
        desk.get("articles/{id}") { request, context in
            let visit = try context.requireDesk()
            let notice = request.uri.queryParameters.get("done").flatMap { DeskReviewForms.notices[$0] }
            let choice = DeskReviewReads.Choice(request.uri.queryParameters.get("against"))
            return try await page(try Self.articleID(context), visit: visit, against: choice, notice: notice, refusal: nil, kept: .none)
        }
        let forms = DeskReviewForms(services: services)
        for (path, handler) in forms.handlers {
            desk.post(RouterPath("articles/{id}/" + path)) { _, context in try await act(context, handler) }
        }
    }

    private func act(_ context: GalleyRequestContext, _ handler: DeskReviewForms.Handler) async throws -> Response {
        let visit = try context.requireDesk()
        let form = try context.requireForm()
        let id = try Self.articleID(context)
        let done: String
        do {
            done = try await handler(DeskReviewForms.Submission(articleID: id, form: form, caller: visit.caller, parameters: context.parameters))
        } catch let error as GalleyError {
            if case .unavailable = error { throw error }
            return try await page(
                id, visit: visit, against: DeskReviewReads.Choice(form["against"]), notice: nil, refusal: DeskReviewRefusal(error),
                kept: DeskReviewKept(form: form),
                status: Problem(error).status)
        }
        return DeskPages.seeOther(DeskFormat.link("/desk/articles/\(id.lowercasedString)", [("done", done), ("against", form["against"])]))
    }

    private func page(
        _ id: UUID, visit: DeskVisit, against: DeskReviewReads.Choice, notice: String?, refusal: DeskReviewRefusal?, kept: DeskReviewKept,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let reads = try await DeskReviewReads.read(id, against: against, services: services, caller: visit.caller)
        return pages.render(
            "review", DeskReviewPage(reads, visit: visit, against: against, notice: notice, refusal: refusal, kept: kept), status: status)
    }

    static func articleID(_ context: GalleyRequestContext) throws -> UUID {
        let text = context.parameters.get("id") ?? ""
        guard let id = UUIDFormat.parse(text) else { throw GalleyError.notFound(kind: "article", id: String(text.prefix(64))) }
        return id
    }
}
