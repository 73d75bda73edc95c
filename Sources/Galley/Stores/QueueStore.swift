import Foundation
import GalleyCore
import Postgres

/// SQL for the work queue: the open steps of articles (`queue_steps`) and a caller's page of them.
enum QueueStore {
    /// Statements for a WITH list that make the open steps of the article in `source` (a name
    /// in the same statement's WITH list yielding its row as `id`, `section`) exactly `steps`,
    /// keeping any open step named in `keeping`: the steps that stay open keep the time they
    /// opened. Nothing is written when `source` yields no row.
    static func settingSteps(_ steps: [OpenStep], keeping: [String] = [], from source: String, at now: Date) -> [SQL] {
        let from = SQL(stringLiteral: source)
        var statements: [SQL] = [
            "DELETE FROM queue_steps q USING \(from) WHERE q.article_id = \(from).id AND q.step <> ALL (\(steps.map(\.step) + keeping))"
        ]
        guard !steps.isEmpty else { return statements }
        let rows = steps.map { step -> SQL in
            """
            (\(step.step), \(step.roles.map(\.rawValue)), \(step.peopleOnly), \(step.onlyActor), \(step.barred), \(step.needsVerifiedClaims))
            """
        }
        statements.append(
            """
            INSERT INTO queue_steps (article_id, step, section, roles, people_only, only_actor, barred, needs_verified_claims, waiting_since)
            SELECT \(from).id, v.step, \(from).section, v.roles, v.people_only, v.only_actor, v.barred, v.needs_verified_claims, \(now)
            FROM \(from), (VALUES \(SQL.joined(rows, separator: ", "))) v (step, roles, people_only, only_actor, barred, needs_verified_claims)
            ON CONFLICT (article_id, step) DO UPDATE SET roles = EXCLUDED.roles, people_only = EXCLUDED.people_only,
                only_actor = EXCLUDED.only_actor, barred = EXCLUDED.barred, needs_verified_claims = EXCLUDED.needs_verified_claims
            """)
        return statements
    }

    /// Sent first (before the policy is read) by each transaction that decides open steps or
    /// assignments on the policy: it waits while every article's steps are decided again
    /// (`refreshing`), and holds that off until it commits. It is the lock any write of
    /// `queue_steps` takes before its statement's snapshot, so a transition's one conditional
    /// statement is held off the same way without sending it.
    static let holdingOffRefresh: SQL = "LOCK TABLE queue_steps IN ROW EXCLUSIVE MODE"

    /// Sent first by a transaction that decides every article's steps again (a policy change,
    /// `galley migrate`): it waits for the transactions that write steps and holds new ones off
    /// until it commits, so each side decides on facts that include the other's. Two refreshes
    /// wait for each other.
    static let refreshing: SQL = "LOCK TABLE queue_steps IN SHARE ROW EXCLUSIVE MODE"

    /// Who is asking, as the queue's filters need them.
    struct Taker: Sendable {
        var actorID: UUID
        var name: String
        var roles: [String]
        var isPerson: Bool
        /// The caller's desk; empty for every section.
        var sections: [String]
    }

    struct Filter: Sendable {
        var waitingFor: String?
        var section: String?
        var assigned: QueueAssigned
    }

    /// Where a page ends: the sort key of its last item.
    struct Position: Sendable, Equatable {
        /// 0 assigned to the caller, 1 unassigned, 2 assigned to someone else.
        var rank: Int
        var overdue: Bool
        var waitingSince: Date
        var articleID: UUID
        var step: String
    }

    /// A page of the steps `taker` may take, in queue order (assigned to them, unassigned,
    /// assigned to others; overdue first; oldest first), after `cursor`. Each group is its own
    /// scan in its order, limited to the page, and only the page's rows look up their articles
    /// (`OFFSET 0` keeps that lookup a probe per row, never a join over every article).
    static func page(for taker: Taker, _ filter: Filter, now: Date, after cursor: Position?, limit: Int) -> StoreRead<[QueueEntry]> {
        let groups: [Int] =
            switch filter.assigned {
            case .me: [0]
            case .unassigned: [1]
            case .mineAndUnassigned: [0, 1]
            case .any: [0, 1, 2]
            }
        let selects = groups.flatMap { rank in
            (rank == 1 ? [false] : [true, false]).compactMap { overdue in
                group(rank: rank, overdue: overdue, taker, filter, now: now, after: cursor, limit: limit)
            }
        }
        guard !selects.isEmpty else { return StoreRead(sql: "SELECT 1 WHERE false") { _ in [] } }
        return StoreRead(
            sql: """
                SELECT p.rank, p.overdue, p.article_id, p.step, p.waiting_since, p.assignee_id, p.due_at, an.name AS assignee_name,
                       ar.section, ar.origin, ar.state, ar.title
                FROM (SELECT * FROM (\(SQL.joined(selects, separator: " UNION ALL "))) g
                      ORDER BY g.rank, g.overdue DESC, g.waiting_since, g.article_id, g.step LIMIT \(limit)) p
                CROSS JOIN LATERAL (
                    SELECT a.section, a.origin, a.state, r.title
                    FROM articles a JOIN revisions r ON r.article_id = a.id AND r.number = a.current_revision WHERE a.id = p.article_id
                    OFFSET 0
                ) ar
                LEFT JOIN actors an ON an.id = p.assignee_id
                ORDER BY p.rank, p.overdue DESC, p.waiting_since, p.article_id, p.step
                """
        ) { rows in
            try rows.map { row in
                QueueEntry(
                    position: Position(
                        rank: try row.decode("rank"), overdue: try row.decode("overdue"), waitingSince: try row.decode("waiting_since"),
                        articleID: try row.decode("article_id"), step: try row.decode("step")),
                    title: try row.decode("title"), section: try row.decode("section"), origin: try row.enumValue("origin"),
                    state: try row.enumValue("state"), assigneeID: try row.decode("assignee_id"),
                    assigneeName: try row.decode("assignee_name"), dueAt: try row.decode("due_at"))
            }
        }
    }

    /// One group of the queue, its overdue steps or the others, in its order, as a walk of
    /// the index of its steps (`queue_steps_assigned` for the caller's, `queue_steps_due` for
    /// overdue ones, `queue_steps_waiting` for the rest): each step carries its open
    /// assignment's assignee and due date (sql/0033). Nil when the cursor is past the group.
    private static func group(
        rank: Int, overdue: Bool, _ taker: Taker, _ filter: Filter, now: Date, after cursor: Position?, limit: Int
    ) -> SQL? {
        // Overdue steps come first in a rank, so a cursor at an on-time step is past them.
        if let cursor, cursor.rank > rank || (cursor.rank == rank && overdue && !cursor.overdue) { return nil }
        var sql: SQL = """
            (SELECT \(SQL(stringLiteral: "\(rank)"))::int AS rank, \(SQL(stringLiteral: "\(overdue)")) AS overdue, s.article_id, s.step,
                    s.waiting_since, s.assignee_id, s.due_at
             FROM queue_steps s
            """
        switch rank {
        case 0: sql.append(" WHERE s.assignee_id = \(taker.actorID)")
        case 1: sql.append(" WHERE s.assignee_id IS NULL")
        default: sql.append(" WHERE s.assignee_id <> \(taker.actorID)")
        }
        if overdue {
            sql.append(" AND s.due_at < \(now)")
        } else if rank != 1 {
            sql.append(" AND NOT COALESCE(s.due_at < \(now), false)")
        }
        sql.append(" AND \(eligible(taker))")
        if let step = filter.waitingFor { sql.append(" AND s.step = \(step)") }
        if let section = filter.section { sql.append(" AND s.section = \(section)") }
        if let cursor, cursor.rank == rank, cursor.overdue == overdue {
            sql.append(" AND (s.waiting_since, s.article_id, s.step) > (\(cursor.waitingSince), \(cursor.articleID), \(cursor.step))")
        }
        sql.append(" ORDER BY s.waiting_since, s.article_id, s.step LIMIT \(limit))")
        return sql
    }

    /// The steps `taker` may take: one of their roles may, they are not barred (four-eyes),
    /// the step is theirs if it is anyone's, a person's step needs a person, the article is on
    /// their desk, and an approval waiting for claims is not offered until they are verified.
    private static func eligible(_ taker: Taker) -> SQL {
        let blocking = ClaimStatus.allCases.filter(\.blocksFactCheck).map(\.rawValue)
        return """
            s.roles && \(taker.roles)::text[] AND NOT (\(taker.name) = ANY (s.barred))
            AND (s.only_actor IS NULL OR s.only_actor = \(taker.name)) AND (\(taker.isPerson) OR NOT s.people_only)
            AND (cardinality(\(taker.sections)::text[]) = 0 OR s.section = ANY (\(taker.sections)::text[]))
            AND (NOT s.needs_verified_claims OR NOT EXISTS (
                SELECT 1 FROM claims c JOIN articles ca ON ca.id = c.article_id AND ca.current_revision = c.revision
                WHERE c.article_id = s.article_id AND c.status = ANY (\(blocking)::text[])))
            """
    }
}

/// One step in a caller's queue, as read.
struct QueueEntry: Sendable {
    let position: QueueStore.Position
    let title: String
    let section: String
    let origin: Origin
    let state: ArticleState
    let assigneeID: UUID?
    let assigneeName: String?
    let dueAt: Date?
}
