/// Just enough of an OpenAPI document to compare it with the router: its operations, read
/// line by line from the `paths:` section (two-space indentation, paths as keys, methods
/// below them), and which of them opt out of the document-wide bearer security.
struct OpenAPIOutline {
    struct Operation: Hashable, Comparable, CustomStringConvertible {
        var method: String
        var path: String
        var description: String { "\(method) \(path)" }
        static func < (lhs: Operation, rhs: Operation) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    private(set) var operations: Set<Operation> = []
    /// Operations with `security: []`, i.e. without authentication.
    private(set) var unauthenticated: Set<Operation> = []

    init(yaml: String) {
        var inPaths = false
        var path: String?
        var operation: Operation?
        for raw in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let content = line.drop { $0 == " " }
            if content.isEmpty || content.hasPrefix("#") { continue }
            let indent = line.count - content.count
            if indent == 0 {
                inPaths = line == "paths:"
                path = nil
                operation = nil
                continue
            }
            guard inPaths, let colon = content.firstIndex(of: ":") else { continue }
            let key = Self.unquote(String(content[..<colon]))
            switch indent {
            case 2:
                path = key.hasPrefix("/") ? key : nil
                operation = nil
            case 4:
                operation = nil
                if let path, Self.methods.contains(key) {
                    let found = Operation(method: key.uppercased(), path: path)
                    operations.insert(found)
                    operation = found
                }
            case 6:
                if let operation, key == "security", content[content.index(after: colon)...].trimmingCharacters(in: .whitespaces) == "[]" {
                    unauthenticated.insert(operation)
                }
            default:
                break
            }
        }
    }

    private static func unquote(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count >= 2, let first = trimmed.first, first == "\"" || first == "'", trimmed.last == first {
            return String(trimmed.dropFirst().dropLast())
        }
        return trimmed
    }
}
