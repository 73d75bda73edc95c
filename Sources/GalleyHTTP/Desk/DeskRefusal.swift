import Hummingbird

/// A refusal the desk itself makes (not the domain's): a form it cannot read, a missing CSRF
/// token. Shown as an error page with its status.
struct DeskRefusal: Error, Sendable {
    let status: HTTPResponse.Status
    let message: String

    static func badForm(_ problem: String) -> DeskRefusal {
        DeskRefusal(status: .badRequest, message: "The form \(problem).")
    }

    static let forgedForm = DeskRefusal(
        status: .forbidden,
        message: "This form did not come from your desk session (its security token is missing or out of date); reload the page and send it again.")
}
