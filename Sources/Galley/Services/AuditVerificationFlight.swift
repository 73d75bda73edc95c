import GalleyCore

/// At most one full verification of the audit log at a time per server: one asked for while
/// another runs waits for that one and shares its report, so that repeated asking (a page
/// reloaded, a link followed many times) reads the whole log once, not once per request.
public actor AuditVerificationFlight {
    private var running: Task<AuditVerifier.Report, any Error>?

    public init() {}

    func report(_ start: @escaping @Sendable () async throws -> AuditVerifier.Report) async throws -> AuditVerifier.Report {
        if let running { return try await running.value }
        let task = Task { try await start() }
        running = task
        defer { running = nil }
        return try await task.value
    }
}

extension AuditService {
    /// `verify(by:)`, shared with a verification already running in `flight`. Each caller
    /// needs `audit.read` for themselves, whether they start the verification or join it.
    public func verify(sharing flight: AuditVerificationFlight, by caller: Caller) async throws -> AuditVerifier.Report {
        try caller.principal.require(.readAudit)
        return try await flight.report { try await self.verify(by: caller) }
    }
}
