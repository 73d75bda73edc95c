import Foundation

/// How long a new token lives: a person's lasts `personDefault` unless told otherwise; a
/// service's must be chosen, a span or `never`, because a forgotten service token is the one
/// nobody notices leaking.
public enum TokenLifetime: Sendable, Equatable {
    /// The default for the owner: `personDefault` for a person, refused for a service.
    case standard
    case never
    /// A span from the moment of issue, in seconds (`expires_in`).
    case span(TimeInterval)
    /// A moment (`expires_at`).
    case until(Date)

    /// Ninety days.
    public static let personDefault: TimeInterval = 90 * 86_400

    /// The longest a person's token may live: a year, and a day for leap years. Only a
    /// service's token may live longer, or `never` expire.
    public static let personMaximum: TimeInterval = 366 * 86_400

    /// `never`, or a whole number and a unit: `90d`, `12h`, `2w`, `30m`, `45s`. Nil otherwise.
    /// The number is 1 to 11 ASCII digits without a leading zero or a sign, as openapi.yaml's
    /// pattern says.
    public static func parse(_ text: String) -> TokenLifetime? {
        if text == "never" { return .never }
        let digits = text.utf8.dropLast()
        guard let unit = text.last, (1...11).contains(digits.count), digits.first != UInt8(ascii: "0"),
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let number = Int(String(text.dropLast()))
        else { return nil }
        let scale: TimeInterval? =
            switch unit {
            case "s": 1
            case "m": 60
            case "h": 3_600
            case "d": 86_400
            case "w": 604_800
            default: nil
            }
        return scale.map { .span(TimeInterval(number) * $0) }
    }

    public static let requirement =
        "must be \"never\" (a service's only) or a whole number, without a sign or a leading zero, and a unit (s, m, h, d, w), e.g. 90d"
}
