import Foundation
import GalleyCore
import Postgres

/// SQL for assignments: who is asked to take which step of an article.
enum AssignmentStore {
    private static let returning: SQL = "RETURNING id, article_id, step, assignee_id, due_at, assigned_by, created_at"

    static func assignment(_ row: PostgresRow) throws -> Assignment {
        Assignment(
            id: try row.decode("id"), articleID: try row.decode("article_id"), step: try row.decode("step"),
            assigneeID: try row.decode("assignee_id"), assignee: try row.decode("assignee_name"), dueAt: try row.decode("due_at"),
            assignedBy: try row.decode("assigned_by"), createdAt: try row.decode("created_at"))
    }

    /// Ends the step's open assignment, if any, as replaced; answers its id. Sent before
    /// `inserting` in one pipeline: one open assignment per step.
    static func replacing(articleID: UUID, step: String, at now: Date) -> StoreRead<UUID?> {
        StoreRead(
            sql: """
                UPDATE assignments SET ended_at = \(now), ended_reason = 'replaced'
                WHERE article_id = \(articleID) AND step = \(step) AND ended_at IS NULL RETURNING id
                """
        ) { rows in try rows.single?.decode("id") }
    }

    static func inserting(
        id: UUID, articleID: UUID, step: String, assigneeID: UUID, dueAt: Date?, assignedBy: String, at now: Date
    ) -> StoreRead<Assignment> {
        StoreRead(
            sql: """
                WITH x AS (
                    INSERT INTO assignments (id, article_id, step, assignee_id, due_at, assigned_by, created_at)
                    VALUES (\(id), \(articleID), \(step), \(assigneeID), \(dueAt), \(assignedBy), \(now)) \(returning))
                SELECT x.*, an.name AS assignee_name FROM x JOIN actors an ON an.id = x.assignee_id
                """
        ) { rows in try assignment(rows[0]) }
    }

    /// Ends the open assignment as removed; nil when the article has no such open assignment.
    static func removing(_ id: UUID, articleID: UUID, at now: Date) -> StoreRead<Assignment?> {
        StoreRead(
            sql: """
                WITH x AS (
                    UPDATE assignments SET ended_at = \(now), ended_reason = 'removed'
                    WHERE id = \(id) AND article_id = \(articleID) AND ended_at IS NULL \(returning))
                SELECT x.*, an.name AS assignee_name FROM x JOIN actors an ON an.id = x.assignee_id
                """
        ) { rows in try rows.single.map(assignment) }
    }

    /// The articles on which the actor holds an open assignment, in id order: the order a
    /// transaction that ends them all locks them in.
    static func articles(assignedTo assigneeID: UUID) -> StoreRead<[UUID]> {
        StoreRead(
            sql: "SELECT DISTINCT article_id FROM assignments WHERE assignee_id = \(assigneeID) AND ended_at IS NULL ORDER BY article_id"
        ) { rows in try rows.map { try $0.decode("article_id") } }
    }

    /// Ends every open assignment of the actor on `articles` as removed; answers them.
    static func removingAll(assignedTo assigneeID: UUID, on articles: [UUID], at now: Date) -> StoreRead<[Assignment]> {
        StoreRead(
            sql: """
                WITH x AS (
                    UPDATE assignments SET ended_at = \(now), ended_reason = 'removed'
                    WHERE assignee_id = \(assigneeID) AND article_id = ANY (\(TextArray(articles))::uuid[]) AND ended_at IS NULL
                    \(returning))
                SELECT x.*, an.name AS assignee_name FROM x JOIN actors an ON an.id = x.assignee_id ORDER BY x.article_id, x.step
                """
        ) { rows in try rows.map(assignment) }
    }

    /// A statement for a WITH list that ends the open assignments of the article in `source`
    /// (a name in the same WITH list yielding its `id`) on `steps` (every step when nil).
    static func ending(_ steps: [String]?, as reason: AssignmentEnd, from source: String, at now: Date) -> SQL {
        let from = SQL(stringLiteral: source)
        var sql: SQL = """
            UPDATE assignments x SET ended_at = \(now), ended_reason = \(reason.rawValue)
            FROM \(from) WHERE x.article_id = \(from).id AND x.ended_at IS NULL
            """
        if let steps { sql.append(" AND x.step = ANY (\(steps)::text[])") }
        return sql
    }

    /// Ends the assignment as `reason` with `event`, both only if it is still open.
    static func ending(_ id: UUID, as reason: AssignmentEnd, event: AuditEntry, at now: Date) -> SQL {
        """
        WITH x AS (UPDATE assignments SET ended_at = \(now), ended_reason = \(reason.rawValue) WHERE id = \(id) AND ended_at IS NULL RETURNING id),
             logged AS (\(AuditStore.insert(event, onlyAfter: "x")))
        SELECT 1
        """
    }

    /// The open assignments of the article `a` as aligned arrays (`assignment_*` columns),
    /// for the article's detail.
    static let detailColumns: SQL = """
        SELECT COALESCE(array_agg(x.id::text ORDER BY x.created_at, x.id), '{}') AS assignment_ids,
               COALESCE(array_agg(x.step ORDER BY x.created_at, x.id), '{}') AS assignment_steps,
               COALESCE(array_agg(x.assignee_id::text ORDER BY x.created_at, x.id), '{}') AS assignment_assignee_ids,
               COALESCE(array_agg(an.name ORDER BY x.created_at, x.id), '{}') AS assignment_assignees,
               COALESCE(array_agg(COALESCE(x.due_at::text, '') ORDER BY x.created_at, x.id), '{}') AS assignment_due,
               COALESCE(array_agg(x.assigned_by ORDER BY x.created_at, x.id), '{}') AS assignment_by,
               COALESCE(array_agg(x.created_at::text ORDER BY x.created_at, x.id), '{}') AS assignment_times
        FROM assignments x JOIN actors an ON an.id = x.assignee_id WHERE x.article_id = a.id AND x.ended_at IS NULL
        """

    /// The open assignments `detailColumns` read, in the order they were made.
    static func detailAssignments(_ row: PostgresRow, articleID: UUID) throws -> [Assignment] {
        let ids = try row.decode("assignment_ids", as: [String].self)
        let steps = try row.decode("assignment_steps", as: [String].self)
        let assigneeIDs = try row.decode("assignment_assignee_ids", as: [String].self)
        let assignees = try row.decode("assignment_assignees", as: [String].self)
        let due = try row.decode("assignment_due", as: [String].self)
        let by = try row.decode("assignment_by", as: [String].self)
        let times = try row.decode("assignment_times", as: [String].self)
        guard [steps, assigneeIDs, assignees, due, by, times].allSatisfy({ $0.count == ids.count }) else {
            throw PostgresError(kind: .decoding, message: "an article's assignment columns differ in length")
        }
        return try ids.indices.map { index in
            guard let id = UUIDFormat.parse(ids[index]), let assigneeID = UUIDFormat.parse(assigneeIDs[index]),
                let createdAt = PostgresTimestamp.parse(times[index])
            else { throw PostgresError(kind: .decoding, message: "unreadable assignment \(ids[index])") }
            let dueAt = due[index].isEmpty ? nil : PostgresTimestamp.parse(due[index])
            return Assignment(
                id: id, articleID: articleID, step: steps[index], assigneeID: assigneeID, assignee: assignees[index], dueAt: dueAt,
                assignedBy: by[index], createdAt: createdAt)
        }
    }
}
