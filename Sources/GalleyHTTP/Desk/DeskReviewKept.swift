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
