import Foundation
import GalleyCore
import Postgres

/// Proving the audit log intact: in full, or over what changed since it was last verified
/// (docs/audit.md, "What `verify` checks" and "Verifying what changed").
extension AuditService {
    /// Recomputes every event's hash and link, checks each chain against its head and every
    /// seal, names the first broken event, and records itself as the last full verification;
    /// when it found the log intact, the log counts as verified up to its snapshot.
    ///
    /// Seals, events and heads are read in one read-only snapshot: events and heads written
    /// meanwhile are not seen at all, so a head is never ahead of the events read (which
    /// would look like removed events), and a verification running during normal writes
    /// reports what it saw. The heads are read on a second session sharing that snapshot
    /// while this one reads the seals and events (on this one when that session cannot be
    /// had).
    public func verify(by caller: Caller, progress: (@Sendable (Int) -> Void)? = nil) async throws -> AuditVerification {
        try caller.principal.require(.readAudit)
        let env = self.env
        let startedAt = env.now()
        let database = env.pool.configuration
        let (report, point) = try await env.transaction(isolation: .readOnlySnapshot, recordsEvents: false) { conn in
            let sideHeads = SnapshotSideRead(
                connectionString: database.connectionString, preparesStatements: database.preparesStatements,
                snapshot: try conn.exportSnapshot()
            ) { try AuditStore.chainHeads($0) }
            let seals = try AuditStore.seals(conn)
            let checks = AuditOverlappedChecks(AuditVerifier(seals: AuditVerifier.checkSeals(seals)), progress: progress)
            defer { _ = try? checks.finish() }
            var afterID = 0
            while true {
                let batch = try AuditStore.idOrderBatch(conn, afterID: afterID, limit: AuditBatch.limit)
                checks.submit(batch)
                guard batch.count == AuditBatch.limit, let last = try batch.lastID() else { break }
                afterID = last
            }
            let heads = try (try? sideHeads.value()) ?? AuditStore.chainHeads(conn)
            let point = AuditStore.VerifiedPoint(
                continuesVersion: try AuditStore.verifiedThrough(conn)?.version, verifiedAt: startedAt,
                xminBound: try AuditStore.snapshotBound(conn), sealID: seals.last?.id ?? 0, sealHash: seals.last?.hash ?? "",
                positions: try heads.unverified())
            var verifier = try checks.finish()
            return (try verifier.finish(heads: heads), point)
        }
        let full = try await env.transaction(recordsEvents: false) { conn in
            let full = try AuditStore.recordFullVerification(conn, report, startedAt: startedAt, finishedAt: env.now(), by: caller.principal.name)
            if report.ok { try AuditStore.moveVerifiedThrough(conn, to: point) }
            return full
        }
        return AuditVerification(scope: .full, report: report, full: full, since: nil, checkedAt: full.finishedAt)
    }

    /// The last full verification plus an increment over what changed since the log was
    /// last verified; a full verification when there is none, or the last one found the log
    /// broken. Shared with one already running on this server (`AuditVerificationFlight`);
    /// each caller needs `audit.read` for themselves, whether they start it or join it.
    public func verification(by caller: Caller) async throws -> AuditVerification {
        try caller.principal.require(.readAudit)
        return try await env.verifications.report {
            if let increment = try await self.verifyIncrement(by: caller) { return increment }
            return try await self.verify(by: caller)
        }
    }

    /// Checks the chains moved since the log was last verified, from their verified positions
    /// on, and the seals made since; moves the verified positions on when all is intact. Nil
    /// when there is nothing to continue from (no full verification found the log intact, or
    /// the last one found it broken).
    func verifyIncrement(by caller: Caller) async throws -> AuditVerification? {
        let env = self.env
        let startedAt = env.now()
        let found = try await env.transaction(isolation: .readOnlySnapshot, recordsEvents: false) {
            conn -> (AuditVerifier.Report, AuditStore.VerifiedPoint, AuditVerification.Full, Date)? in
            guard let full = try AuditStore.lastFullVerification(conn), full.ok, let through = try AuditStore.verifiedThrough(conn) else {
                return nil
            }
            let seals = try AuditStore.seals(conn, afterID: through.sealID)
            let sealed = AuditVerifier.checkSeals(seals, after: through.sealHash)
            let moved = try AuditStore.movedChains(conn, since: through.xminBound)
            let verifiedSeq = Dictionary(moved.map { ($0.head.chain, $0.verified?.seq ?? 0) }, uniquingKeysWith: { first, _ in first })
            // A head a new seal lists beyond a moved chain's verified position is checked as its
            // events are read; any other is looked up.
            func isAhead(_ head: AuditVerifier.Head) -> Bool { verifiedSeq[head.chain].map { head.seq > $0 } ?? false }
            let ahead = sealed.heads.map { $0.filter(isAhead) }
            var verifier = AuditVerifier(seals: (sealed.checked, ahead, sealed.problem), from: moved.compactMap(\.verified))
            try Self.checkEvents(conn, after: moved, into: &verifier)
            try Self.checkSealHeads(sealed.heads.joined().filter { !isAhead($0) }, conn, into: &verifier)
            let point = AuditStore.VerifiedPoint(
                continuesVersion: through.version, verifiedAt: startedAt, xminBound: try AuditStore.snapshotBound(conn),
                sealID: seals.last?.id ?? through.sealID, sealHash: seals.last?.hash ?? through.sealHash,
                positions: moved.filter { $0.verified?.seq != $0.head.seq || $0.verified?.hash != $0.head.hash }.map(\.head))
            return (try verifier.finish(heads: moved.map(\.head)), point, full, through.verifiedAt)
        }
        guard let (report, point, full, since) = found else { return nil }
        if report.ok { try await env.transaction(recordsEvents: false) { conn in try AuditStore.moveVerifiedThrough(conn, to: point) } }
        return AuditVerification(scope: .incremental, report: report, full: full, since: since, checkedAt: env.now())
    }

    /// Looks up the events at heads that seals list (those before the events read) and notes
    /// each that is missing or different.
    private static func checkSealHeads(_ heads: [AuditVerifier.Head], _ conn: PostgresConnection, into verifier: inout AuditVerifier) throws {
        for (head, stored) in zip(heads, try AuditStore.eventHashes(conn, at: heads)) where stored.hash != head.hash {
            let problem =
                stored.hash == nil ? "a seal vouches for this event but it is missing" : "a seal vouches for different content at this position"
            verifier.note(.init(eventID: stored.id, chain: head.chain, seq: head.seq, problem: problem))
        }
    }

    /// Reads the moved chains' events after their verified positions, a batch of chains at a
    /// time (as many as the heads say make up to `AuditBatch.limit` events), into `verifier`.
    private static func checkEvents(
        _ conn: PostgresConnection, after moved: [AuditStore.MovedChain], into verifier: inout AuditVerifier
    ) throws {
        let limit = AuditBatch.limit
        var next = 0
        var group: [(chain: String, seq: Int)] = []
        while true {
            if group.isEmpty {
                var expected = 0
                while next < moved.count {
                    let from = moved[next].verified?.seq ?? 0
                    let events = max(1, moved[next].head.seq - from)
                    if !group.isEmpty && expected + events > limit { break }
                    expected += events
                    group.append((moved[next].head.chain, from))
                    next += 1
                }
                if group.isEmpty { return }
            }
            let batch = try AuditStore.eventsAfter(conn, group, limit: limit)
            try verifier.check(batch, hashMatches: batch.hashMatches())
            // A full batch may have left events of its last chain, and of the chains after it.
            guard batch.count == limit, let end = try batch.end(), let index = group.firstIndex(where: { $0.chain == end.chain }) else {
                group = []
                continue
            }
            group = [(end.chain, end.seq)] + group[(index + 1)...]
        }
    }
}
