import Galley
import GalleyCore
import Hummingbird

/// Refusals on the desk as pages a person can read (the API's are problem documents): the
/// domain's own words, with the status the API would send. An outage shows the API's fixed
/// words (`Problem.databaseUnavailable`); the database's own text goes to the log only.
struct DeskErrorPages: RouterMiddleware {
    typealias Context = GalleyRequestContext
    let pages: DeskPages

    struct Page {
        let heading: String
        let message: String
        let chrome: DeskChrome?
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let refusal as DeskRefusal {
            return pages.render("error", Page(heading: "Not done", message: refusal.message, chrome: nil), status: refusal.status)
        } catch let error as GalleyError {
            if case .unavailable(let reason) = error {
                context.logger.error("database unavailable", metadata: ["error": "\(reason)"])
            }
            let problem = Problem(error)
            return pages.render("error", Page(heading: problem.title, message: problem.detail, chrome: nil), status: problem.status)
        } catch let error as HTTPError where error.status == .notFound {
            return pages.render(
                "error", Page(heading: "Not found", message: "There is no desk page at \(request.uri.path).", chrome: nil), status: .notFound)
        }
    }
}
