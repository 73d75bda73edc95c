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

    /// PostgreSQL text cannot hold U+0000, so a text with one could not be stored as given:
    /// the problem of `field` when `text` holds it.
    public static func nulProblem(_ field: String, _ text: String?) -> GalleyError.FieldProblem? {
        guard let text, text.utf8.contains(0) else { return nil }
        return GalleyError.FieldProblem(field: field, message: nulRequirement)
    }

    /// `nulProblem` for every key and string inside a JSON value (jsonb cannot hold U+0000 either).
    public static func nulProblem(_ field: String, _ json: JSONValue) -> GalleyError.FieldProblem? {
        func holdsNUL(_ value: JSONValue) -> Bool {
            switch value {
            case .string(let text): text.utf8.contains(0)
            case .array(let items): items.contains(where: holdsNUL)
            case .object(let members): members.contains { $0.key.utf8.contains(0) || holdsNUL($0.value) }
            case .null, .bool, .number: false
            }
        }
        return holdsNUL(json) ? GalleyError.FieldProblem(field: field, message: nulRequirement) : nil
    }

    /// The problem of a revision number a client sent, unless it is one a revision could have
    /// (1 to the largest the database stores); checked with the rest of the input, before any
    /// version or state is looked at.
    public static func revisionProblem(_ field: String, _ number: Int?) -> GalleyError.FieldProblem? {
        guard let number, !(1...Int(Int32.max)).contains(number) else { return nil }
        return GalleyError.FieldProblem(field: field, message: "must be a revision number from 1 to \(Int32.max)")
    }

    public static let nulRequirement = "must not contain the NUL character (U+0000)"

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
