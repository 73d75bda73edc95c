import Foundation
import GalleyCore
import Postgres

/// SQL for AI generations.
enum GenerationStore {
    static let columns: SQL = """
        id, article_id, brief, model, model_version, prompt_version, parameters, sources, status, attempt, max_attempts,
        input_tokens, output_tokens, error, revision, created_at, started_at, finished_at, updated_at
        """

    static func generation(_ row: PostgresRow) throws -> Generation {
        Generation(
            id: try row.decode("id"), articleID: try row.decode("article_id"),
            brief: try row.optionalJSON("brief"), model: try row.decode("model"),
            modelVersion: try row.decode("model_version"), promptVersion: try row.decode("prompt_version"),
            parameters: try row.decode("parameters"), sources: try row.json("sources"),
            status: try row.enumValue("status"), attempt: try row.decode("attempt"), maxAttempts: try row.decode("max_attempts"),
            inputTokens: try row.decode("input_tokens"), outputTokens: try row.decode("output_tokens"),
            error: try row.decode("error"), revision: try row.decode("revision"), createdAt: try row.decode("created_at"),
            startedAt: try row.decode("started_at"), finishedAt: try row.decode("finished_at"),
            updatedAt: try row.decode("updated_at"))
    }

    static func insert(
        _ conn: PostgresConnection, id: UUID, articleID: UUID?, brief: Generation.Brief?, model: String, modelVersion: String,
        promptVersion: String, parameters: JSONValue, sources: [Source], maxAttempts: Int, requestedBy: UUID, at: Date
    ) throws -> Generation {
        try generation(
            conn.query(
                """
                INSERT INTO generations (id, article_id, brief, model, model_version, prompt_version, parameters, sources,
                                         status, attempt, max_attempts, requested_by, created_at, updated_at)
                VALUES (\(id), \(articleID), \(brief.map { JSONB($0) }), \(model), \(modelVersion), \(promptVersion),
                        \(parameters), \(JSONB(sources)), 'queued', 1, \(maxAttempts), \(requestedBy), \(at), \(at))
                RETURNING \(columns)
                """
            )[0])
    }

    static func fetch(_ conn: PostgresConnection, id: UUID, forUpdate: Bool = false) throws -> Generation {
        let lock: SQL = forUpdate ? " FOR UPDATE" : ""
        guard let row = try conn.query("SELECT \(columns) FROM generations WHERE id = \(id)\(lock)").single else {
            throw GalleyError.notFound(kind: "generation", id: id.uuidString.lowercased())
        }
        return try generation(row)
    }

    struct Update: Sendable {
        var status: GenerationStatus
        var attempt: Int
        var articleID: UUID?
        var revision: Int?
        var error: String?
        var inputTokens: Int?
        var outputTokens: Int?
    }

    static func update(_ conn: PostgresConnection, id: UUID, _ update: Update, at: Date) throws -> Generation {
        try generation(
            conn.query(
                """
                UPDATE generations SET status = \(update.status.rawValue), attempt = \(update.attempt),
                    article_id = COALESCE(\(update.articleID), article_id), revision = \(update.revision), error = \(update.error),
                    input_tokens = COALESCE(\(update.inputTokens), input_tokens),
                    output_tokens = COALESCE(\(update.outputTokens), output_tokens),
                    started_at = CASE WHEN \(update.status.rawValue) = 'running' THEN \(at) ELSE started_at END,
                    finished_at = CASE WHEN \(update.status.rawValue) IN ('succeeded', 'failed', 'cancelled') THEN \(at) END,
                    updated_at = \(at)
                WHERE id = \(id)
                RETURNING \(columns)
                """
            )[0])
    }

    static func list(_ conn: PostgresConnection, status: GenerationStatus?, model: String?, after: (Date, UUID)?, limit: Int) throws -> [Generation] {
        var sql: SQL = "SELECT \(columns) FROM generations WHERE true"
        if let status { sql.append(" AND status = \(status.rawValue)") }
        if let model { sql.append(" AND model = \(model)") }
        if let (createdAt, id) = after { sql.append(" AND (created_at, id) < (\(createdAt), \(id))") }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT \(limit)")
        return try conn.query(sql).map(generation)
    }
}
