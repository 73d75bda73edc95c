import GalleyCore

/// A refusal of the domain as the review page shows it at its top: the sentence, and each
/// unmet requirement or field problem on a line of its own.
struct DeskReviewRefusal: Sendable {
    let message: String
    let items: [String]
    let hasItems: Bool

    init(_ error: GalleyError) {
        switch error {
        case .invalidTransition(let action, let state, let unmet):
            message = "Cannot \(action) an article that is \(state):"
            items = unmet.map { "\($0.requirement): \($0.message)" }
        case .validation(let problems):
            message = "Not done: the form needs changes."
            items = problems.map { "\($0.field) \($0.message)" }
        default:
            message = Problem(error).detail
            items = []
        }
        hasItems = !items.isEmpty
    }
}
