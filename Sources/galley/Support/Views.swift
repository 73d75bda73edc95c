import Foundation
import Galley
import GalleyCore

// The JSON shapes of `--json` that only the CLI has; articles, verdicts, claims, generations,
// actors, tokens and audit events are written as the API writes them (GalleyOutput). Keys are snake_case,
// through `CodingKeys`, because every JSON the CLI writes goes through `WireJSON`.

/// An item's error inside a batch result.
struct ErrorView: Encodable {
    let kind: String
    let message: String

    init(_ error: GalleyError) {
        kind = Failure.kind(of: error)
        message = error.message
    }

    init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }
}
