import Foundation
import GalleyCore
import Postgres

/// The open steps and assignments of every article, decided again on what is stored: after
/// the policy changes which checkpoints articles need, and on every `galley migrate` (the
/// queue's first build, and a repair of any step a failed run missed). Both run under
/// `QueueStore.refreshing`, so no transaction writes steps decided on other facts meanwhile.
enum OpenSteps {
    /// The steps of every article in review or approved as the policy in force decides them,
    /// and the end (`removed`, audited) of every open assignment whose step is closed
    /// (`WorkQueue.closed`): no verdict would end it. The changes an author was asked for stay.
    static func refreshAll(_ conn: PostgresConnection, by caller: Caller, at now: Date) throws {
        let articles = try conn.read(ArticleDetailStore.waitingFacts())
        for chunk in stride(from: 0, to: articles.count, by: 500).map({ articles[$0..<min($0 + 500, articles.count)] }) {
            _ = try conn.pipeline(chunk.flatMap { statements(for: $0.detail, by: caller, at: now) })
        }
    }

    /// The `changes` step of every draft whose latest return to draft was a request for
    /// changes (read from the audit log), for the author of the revision it was requested on.
    static func restoreChangesRequested(_ conn: PostgresConnection, at now: Date) throws {
        let drafts = try conn.read(AuditStore.changesRequestedOfDrafts())
        for chunk in stride(from: 0, to: drafts.count, by: 500).map({ drafts[$0..<min($0 + 500, drafts.count)] }) {
            _ = try conn.pipeline(
                chunk.map { draft in
                    let steps = WorkQueue.openSteps(state: .draft, origin: draft.origin, checkpoints: [], author: "", changesFor: draft.author)
                    return ArticleStore.alongside(draft.articleID, QueueStore.settingSteps(steps, from: "a", at: now)).sql
                })
        }
    }

    private static func statements(for detail: ArticleDetail, by caller: Caller, at now: Date) -> [SQL] {
        let article = detail.article
        var statements: [SQL] = []
        if article.state == .inReview || article.state == .approved {
            let steps = WorkQueue.openSteps(
                state: article.state, origin: article.origin, checkpoints: detail.checkpoints, author: detail.current.author)
            statements.append(
                ArticleStore.alongside(article.id, QueueStore.settingSteps(steps, keeping: [WorkQueue.changes], from: "a", at: now)).sql)
        }
        for assignment in detail.assignments {
            guard let closed = WorkQueue.closed(assignment.step, checkpoints: detail.checkpoints, revision: detail.current.number) else {
                continue
            }
            statements.append(
                AssignmentStore.ending(
                    assignment.id, as: .removed,
                    event: AuditEntry(
                        chain: AuditEntry.chain(article: article.id), principal: caller.principal, action: "assignment.removed",
                        articleID: article.id, revision: detail.current.number, fromState: article.state.rawValue,
                        toState: article.state.rawValue, reason: "Nothing is left to do on this step: \(closed).",
                        details: [
                            "assignment_id": .string(assignment.id.lowercasedString), "step": .string(assignment.step),
                            "assignee": .string(assignment.assignee),
                        ],
                        requestID: caller.requestID, at: now), at: now))
        }
        return statements
    }
}

extension QueueService {
    /// Decides every article's open steps and assignments again from what is stored
    /// (`galley migrate`, each run: idempotent).
    public func rebuild(by caller: Caller) async throws {
        let now = env.now()
        try await env.transaction { conn in
            try conn.execute(QueueStore.refreshing)
            try OpenSteps.refreshAll(conn, by: caller, at: now)
            try OpenSteps.restoreChangesRequested(conn, at: now)
        }
    }
}
