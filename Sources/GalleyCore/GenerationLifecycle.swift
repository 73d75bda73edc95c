/// The lifecycle of one AI run: `queued → running → succeeded | failed | cancelled`, and
/// `failed → queued` as a retry while attempts remain.
public enum GenerationLifecycle {
    public static let defaultMaxAttempts = 3

    /// What a run may report as its token usage: the columns are PostgreSQL integers.
    public static func tokenUsageProblems(input: Int?, output: Int?) -> [GalleyError.FieldProblem] {
        let counts = 0...Int(Int32.max)
        return [("usage.input_tokens", input), ("usage.output_tokens", output)].compactMap { field, value in
            guard let value, !counts.contains(value) else { return nil }
            return .init(field: field, message: "must be 0 to \(Int32.max)")
        }
    }

    public static func allowedNext(from status: GenerationStatus) -> Set<GenerationStatus> {
        switch status {
        case .queued: [.running, .cancelled]
        case .running: [.succeeded, .failed, .cancelled]
        case .failed: [.queued]
        case .succeeded, .cancelled: []
        }
    }

    /// Checks one jump; a retry (`failed → queued`) also needs an attempt left.
    public static func check(
        from status: GenerationStatus, to next: GenerationStatus, attempt: Int, maxAttempts: Int
    ) throws(GalleyError) {
        var unmet: [GalleyError.Unmet] = []
        if !allowedNext(from: status).contains(next) {
            let allowed = allowedNext(from: status).map(\.rawValue).sorted()
            unmet.append(
                .init(
                    "status",
                    allowed.isEmpty
                        ? "a \(status.rawValue) generation is final"
                        : "from \(status.rawValue) only \(allowed.joined(separator: " or ")) may follow"))
        } else if status == .failed, next == .queued, attempt >= maxAttempts {
            unmet.append(.init("attempts", "all \(maxAttempts) attempts are used; register a new generation"))
        }
        if !unmet.isEmpty {
            throw .invalidTransition(action: "move generation to \(next.rawValue)", state: status.rawValue, unmet: unmet)
        }
    }
}
