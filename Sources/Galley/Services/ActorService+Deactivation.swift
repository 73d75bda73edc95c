import Foundation
import GalleyCore
import Postgres

extension ActorService {
    /// What switching an actor off ends with them, in the same transaction: their live tokens
    /// (so switching them on again revives none: they are issued new ones), their desk
    /// sessions, and their open
    /// assignments, each audited as `assignment.removed`, so that their steps are unassigned
    /// again in everyone's queue. Answers how many of each.
    static func endPresence(
        _ conn: PostgresConnection, of actor: Actor, by caller: Caller, at now: Date
    ) throws -> (tokens: Int, sessions: Int, assignments: Int) {
        let tokens = try ActorStore.revokeTokens(conn, actorID: actor.id, at: now)
        let sessions = try SessionStore.endAll(conn, actorID: actor.id, reason: "deactivated", at: now)
        // Each article is locked (and its version moved, as removing an assignment moves it)
        // before its assignments are ended, in the order an assignment's own change takes.
        var articles: [UUID: Article] = [:]
        let assigned: [UUID] = try conn.read(AssignmentStore.articles(assignedTo: actor.id))
        for id in assigned {
            articles[id] = try conn.read(ArticleStore.touching(id, at: now))
        }
        if assigned.isEmpty { return (tokens, sessions, 0) }
        let removed: [Assignment] = try conn.read(AssignmentStore.removingAll(assignedTo: actor.id, on: assigned, at: now))
        for assignment in removed {
            guard let article = articles[assignment.articleID] else { continue }
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.chain(article: article.id), principal: caller.principal, action: "assignment.removed",
                    articleID: article.id, revision: article.currentRevision, fromState: article.state.rawValue,
                    toState: article.state.rawValue,
                    details: [
                        "assignment_id": .string(assignment.id.lowercasedString), "step": .string(assignment.step),
                        "assignee": .string(assignment.assignee), "reason": "actor.deactivated",
                    ],
                    requestID: caller.requestID, at: now))
        }
        return (tokens, sessions, removed.count)
    }
}
