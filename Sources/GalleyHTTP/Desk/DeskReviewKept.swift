import GalleyCore

/// The values of a form the desk refused, put back in the same form of the re-rendered page
/// so nothing typed is lost. Each form names itself in a hidden `form` field.
struct DeskReviewKept: Sendable {
    let form: DeskForm?

    static let none = DeskReviewKept(form: nil)

    /// The submitted value of `field` when the refused form was `formKey`, else empty.
    func value(_ formKey: String, _ field: String) -> String {
        guard let form, form["form"] == formKey else { return "" }
        return form[field] ?? ""
    }
}

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
            message = error.message
            items = []
        }
        hasItems = !items.isEmpty
    }
}
