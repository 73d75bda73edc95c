import ArgumentParser
import Foundation
import GalleyCore

// How command-line text becomes values. A value that does not parse is a usage error that
// names the argument (ArgumentParser reports "The value 'x' is invalid for '<id>'").

extension UUID: @retroactive ExpressibleByArgument {
    public init?(argument: String) {
        self.init(uuidString: argument.trimmingCharacters(in: .whitespaces))
    }
}

extension Date: @retroactive ExpressibleByArgument {
    public init?(argument: String) {
        guard let date = RFC3339.parse(argument) else { return nil }
        self = date
    }
}

/// A span such as `30d`, `12h`, `90m`, `2w` or `45s`.
struct Span: ExpressibleByArgument, Sendable {
    let seconds: TimeInterval

    init?(argument: String) {
        guard let unit = argument.last, let number = Int(argument.dropLast()), number > 0 else { return nil }
        let scale: TimeInterval? =
            switch unit {
            case "s": 1
            case "m": 60
            case "h": 3_600
            case "d": 86_400
            case "w": 604_800
            default: nil
            }
        guard let scale else { return nil }
        seconds = TimeInterval(number) * scale
    }
}

extension ArticleState: ExpressibleByArgument {}
extension Origin: ExpressibleByArgument {}
extension Role: ExpressibleByArgument {}
extension GenerationStatus: ExpressibleByArgument {}
extension ClaimStatus: ExpressibleByArgument {}
