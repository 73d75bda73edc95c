import GalleyCore

/// An article's stored text (body, insight) as the review page shows it: the one door its
/// rendering goes through.
enum DeskArticleText {
    /// Paragraphs (split at blank lines) of escaped text; no markup from the text survives.
    static func html(_ text: String) -> String {
        text.components(separatedBy: "\n\n")
            .map { $0.trimmingWhiteSpace() }
            .filter { !$0.isEmpty }
            .map { "<p>" + DeskHTML.escape($0) + "</p>" }
            .joined(separator: "\n")
    }
}
