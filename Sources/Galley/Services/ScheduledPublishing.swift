import Foundation
import GalleyCore
import Postgres

extension PublishingService {
    /// What one run of the scheduler did.
    public struct DueRun: Sendable {
        /// A due article that could not be published, and why.
        public struct Failure: Sendable {
            public let articleID: UUID
            /// The whole error, for the server's log.
            public let error: String
            /// Whether the article went back to `approved`; false only when even that failed,
            /// and it stays scheduled for the next run.
            public let returnedToApproved: Bool
        }
        public var published = 0
        public var failures: [Failure] = []
    }

    /// Publishes every scheduled article that is due, `limit` at a time, each batch claimed
    /// so that other servers skip it (`ArticleStore.claimDue`) and never publish one twice. An
    /// article that cannot be published goes back to `approved` with an audit event (and so
    /// an `article.publish_failed` event) saying why: it is never retried in a loop, and it
    /// never keeps the articles due after it waiting.
    public func publishDue(limit: Int = 100) async throws -> DueRun {
        let now = env.now()
        var run = DueRun()
        var tried: [UUID] = []
        while true {
            let excluded = tried
            let batch = try await env.transaction { conn in
                let due = try ArticleStore.claimDue(conn, now: now, limit: limit, excluding: excluded)
                return (
                    ids: due.map(\.id),
                    run: try due.reduce(into: DueRun()) { run, item in
                        try Self.publishDue(item.id, correctionNote: item.correctionNote, conn: conn, at: now, into: &run)
                    }
                )
            }
            run.published += batch.run.published
            run.failures += batch.run.failures
            tried += batch.ids
            if batch.ids.count < limit { return run }
        }
    }

    /// Each due article's savepoint in its batch.
    private static let savepoint = Savepoint("due")

    /// Publishes one claimed article in a savepoint of the batch's transaction; when that
    /// fails for any reason but an unreachable database or a transient conflict (after which
    /// the whole batch runs again), the publication is rolled back and the article sent back.
    private static func publishDue(_ id: UUID, correctionNote: String?, conn: PostgresConnection, at now: Date, into run: inout DueRun) throws {
        let caller = Caller(principal: .scheduler, requestID: nil)
        try savepoint.set(conn)
        do {
            let article = try ArticleStore.fetch(conn, id: id)
            try TransitionService.apply(.init(.publish, correctionNote: correctionNote), to: article, conn: conn, caller: caller, at: now)
            try savepoint.release(conn)
            run.published += 1
            return
        } catch let error as PostgresError where error.isUnreachable || error.isTransient || error.isCancellation {
            throw error
        } catch {
            try savepoint.rollBack(conn)
            do {
                try sendBack(id, because: error, conn: conn, caller: caller, at: now)
                try savepoint.release(conn)
                run.failures.append(.init(articleID: id, error: "\(error)", returnedToApproved: true))
            } catch let failure as PostgresError where failure.isUnreachable || failure.isTransient || failure.isCancellation {
                throw failure
            } catch let failure {
                try savepoint.rollBack(conn)
                run.failures.append(.init(articleID: id, error: "\(error); then sending it back failed: \(failure)", returnedToApproved: false))
            }
        }
    }

    /// Moves a scheduled article back to `approved` (as `unschedule` would), waiting in the
    /// queue to be published, with the audit event `article.publish_failed`, whose reason says
    /// what went wrong and what to do.
    private static func sendBack(_ id: UUID, because error: any Error, conn: PostgresConnection, caller: Caller, at now: Date) throws {
        let article = try ArticleStore.fetch(conn, id: id)
        var details: [String: JSONValue] = [:]
        if let publishAt = article.publishAt { details["publish_at"] = .string(RFC3339.format(publishAt)) }
        if case .invalidTransition(_, _, let unmet) = error as? GalleyError {
            details["unmet"] = .array(unmet.map { .string($0.requirement) })
        }
        let change = ArticleStore.Change(
            state: Workflow.rule(for: .unschedule).to, currentRevision: article.currentRevision, liveRevision: article.liveRevision,
            publishAt: nil, responsibleEditorID: nil, keepResponsibleEditor: true, search: nil)
        let event = AuditEntry(
            chain: AuditEntry.chain(article: id), principal: caller.principal, action: "article.publish_failed", articleID: id,
            revision: article.currentRevision, fromState: article.state.rawValue, toState: change.state.rawValue,
            reason: "Publishing at the scheduled time failed, so the article is approved again: \(publicReason(error)) "
                + "Fix that, then publish or schedule it again.",
            details: .object(details), requestID: nil, at: now)
        // Scheduling closed the article's `publish` step; approved again, it waits for it again.
        let steps = WorkQueue.openSteps(state: change.state, origin: article.origin, checkpoints: [], author: "")
        _ = try ArticleStore.update(conn, article, change, at: now, event: event, alongside: QueueStore.settingSteps(steps, from: "a", at: now))
    }

    /// What the audit log may say about a failure: a domain refusal in full; of a database
    /// refusal, its SQLSTATE only (its text is for the server's log).
    private static func publicReason(_ error: any Error) -> String {
        switch error {
        case let error as GalleyError: error.message
        case let error as PostgresError: "the database refused the publication (SQLSTATE \(error.sqlState ?? "unknown"))."
        default: "an unexpected error."
        }
    }
}
