import Foundation

/// A verification of the audit log as its readers see it: either a full one just made, or
/// the last full one plus an increment just made over what changed since the log was last
/// verified (docs/audit.md, "Verifying what changed").
public struct AuditVerification: Sendable, Equatable {
    public enum Scope: String, Sendable {
        /// Every event and seal was read.
        case full
        /// Only the events and seals made since `since`, on top of the last full verification.
        case incremental
    }

    /// A full verification as recorded.
    public struct Full: Sendable, Equatable {
        public let id: Int
        public let startedAt: Date
        public let finishedAt: Date
        public let verifiedBy: String
        public let eventsChecked: Int
        public let sealsChecked: Int
        public let ok: Bool
    }

    public let scope: Scope
    /// What this verification checked itself, and the first broken event it found.
    public let report: AuditVerifier.Report
    /// The last full verification: the one just made when `scope` is `.full`.
    public let full: Full
    /// For an increment, when the verification it continues from began: it checked what
    /// was committed since.
    public let since: Date?
    /// When this verification finished.
    public let checkedAt: Date

    public var ok: Bool { report.ok }
    public var eventsChecked: Int { report.eventsChecked }
    public var sealsChecked: Int { report.sealsChecked }
    public var firstBroken: AuditVerifier.Broken? { report.firstBroken }
}
