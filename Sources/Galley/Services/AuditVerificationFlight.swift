import GalleyCore

/// At most one verification of the audit log at a time per server: one asked for while
/// another runs waits for that one and shares its answer, so that repeated asking (a page
/// reloaded, a link followed many times) reads the log once, not once per request.
public actor AuditVerificationFlight {
    private var running: Task<AuditVerification, any Error>?

    public init() {}

    func report(_ start: @escaping @Sendable () async throws -> AuditVerification) async throws -> AuditVerification {
        if let running { return try await running.value }
        let task = Task { try await start() }
        running = task
        defer { running = nil }
        return try await task.value
    }
}
