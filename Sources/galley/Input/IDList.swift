import Foundation

/// Article ids given one a line (stdin or a file): blank lines and `#` comments are skipped;
/// a line that is not a UUID is a usage error naming where it was.
enum IDList {
    static func parse(_ text: String, source: String) throws -> [UUID] {
        var ids: [UUID] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingWhiteSpace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let id = UUID(uuidString: line) else {
                throw CLIError(
                    "Line \(index + 1) of \(source) is not an article id: \(Output.shorten(line, to: 60)).",
                    hint: "Give one UUID a line, e.g. from `galley articles list --json | jq -r '.[].id'`.")
            }
            ids.append(id)
        }
        return ids
    }

    static func parseArgument(_ value: String) throws -> UUID {
        guard let id = UUID(uuidString: value) else {
            throw CLIError("The value '\(value)' is invalid for '<ids>': an article id is a UUID.", hint: "Use - to read ids from stdin.")
        }
        return id
    }
}
