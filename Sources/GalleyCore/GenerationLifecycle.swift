/// The lifecycle of one AI run: `queued → running → succeeded | failed | cancelled`, and
/// `failed → queued` as a retry while attempts remain.
public enum GenerationLifecycle {
    public static let defaultMaxAttempts = 3

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
