import ArgumentParser
import Foundation
import GalleyCore
import GalleyOutput

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

/// A token's lifetime as the API reads `expires_in`: `never`, or e.g. 30d, 12h, 2w.
extension TokenLifetime: ExpressibleByArgument {
    public init?(argument: String) {
        guard let parsed = TokenLifetime.parse(argument) else { return nil }
        self = parsed
    }
}

extension ArticleState: ExpressibleByArgument {}
extension Origin: ExpressibleByArgument {}
extension Role: ExpressibleByArgument {}
extension AuditExport.Format: ExpressibleByArgument {}
extension GenerationStatus: ExpressibleByArgument {}
extension ClaimStatus: ExpressibleByArgument {}
