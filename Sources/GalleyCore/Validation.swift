import Foundation

/// Shapes of names the domain accepts.
public enum Validation {
    /// `politics`, `eu-affairs`: lowercase letters, digits and single hyphens.
    public static func isSlug(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 120, !text.hasPrefix("-"), !text.hasSuffix("-"), !text.contains("--") else {
            return false
        }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// `legal_review`: lower_snake_case.
    public static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.count <= 64 else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Actor names: `maria`, `ai-drafter`, `publisher.bot`.
    public static func isActorName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.count <= 64,
            ("a"..."z").contains(first) || ("0"..."9").contains(first)
        else { return false }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
    }

    /// A slug made from a title: `Venezuela Releases 123 Prisoners` → `venezuela-releases-123-prisoners`.
    public static func slugify(_ title: String) -> String {
        var slug = ""
        for scalar in title.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if scalar.properties.generalCategory == .nonspacingMark {
                continue
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return String(slug.prefix(80)).trimmingTrailingHyphens
    }
}

extension String {
    fileprivate var trimmingTrailingHyphens: String {
        var copy = self
        while copy.hasSuffix("-") { copy.removeLast() }
        return copy
    }
}
