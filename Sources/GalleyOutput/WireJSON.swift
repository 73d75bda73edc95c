import Foundation
import GalleyCore

/// The one JSON configuration of the API and the CLI: keys as the types name them (the
/// contract's snake_case), sorted; RFC 3339 UTC timestamps with microseconds; slashes as is.
public enum WireJSON {
    /// Compact: API bodies, JSON Lines.
    public static var encoder: JSONEncoder { encoder(formatting: [.sortedKeys, .withoutEscapingSlashes]) }

    /// The same with indentation, for the CLI's `--json`, which people read too.
    public static var prettyEncoder: JSONEncoder {
        encoder(formatting: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: RFC3339.requirement)
            }
            return date
        }
        return decoder
    }

    private static func encoder(formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        return encoder
    }
}
