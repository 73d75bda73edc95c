import Foundation
import Synchronization
import Testing

@testable import Galley

/// A verification of the audit log runs once at a time per server.
@Suite struct AuditVerificationFlightTests {
    @Test func verificationsAskedForWhileOneRunsShareItsReport() async throws {
        let flight = AuditVerificationFlight()
        let runs = Atomic(0)
        let full = AuditVerification.Full(
            id: 1, startedAt: Date(), finishedAt: Date(), verifiedBy: "ada", eventsChecked: 7, sealsChecked: 0, ok: true)
        let report = AuditVerification(
            scope: .full, report: .init(ok: true, eventsChecked: 7, sealsChecked: 0, firstBroken: nil), full: full, since: nil, checkedAt: Date())
        let slowVerification: @Sendable () async throws -> AuditVerification = {
            runs.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(300))
            return report
        }
        let reports = try await withThrowingTaskGroup(of: AuditVerification.self) { group in
            for _ in 0..<5 { group.addTask { try await flight.report(slowVerification) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports == Array(repeating: report, count: 5))
        #expect(runs.load(ordering: .relaxed) == 1)
        // Once it has finished, the next request verifies afresh.
        _ = try await flight.report(slowVerification)
        #expect(runs.load(ordering: .relaxed) == 2)
    }
}
