import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// `/v1/audit-events`, its streaming export, and `/v1/audit/verification`.
struct AuditRoutes {
    let services: GalleyServices

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.get("audit-events", use: list)
        group.get("audit-events/export", use: export)
        group.get("audit/verification", use: verify)
    }

    func query(_ request: Request) throws -> AuditService.Query {
        var query = AuditService.Query()
        if let text = request.typedQuery("article_id") {
            guard let id = UUIDFormat.parse(text) else { throw Problem.invalid("article_id", "must be a UUID") }
            query.articleID = id
        }
        query.actor = request.query("actor")
        query.action = request.query("action")
        query.since = try request.queryDate("since")
        query.until = try request.queryDate("until")
        return query
    }

    @Sendable func list(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        var query = try query(request)
        query.limit = try request.limit()
        query.cursor = request.query("cursor")
        let page = try await services.audit.events(query, by: try context.requireCaller())
        return try Reply(.ok, ListDTO(items: page.items.map(AuditEventDTO.init), next_cursor: page.nextCursor))
    }

    @Sendable func export(_ request: Request, context: GalleyRequestContext) async throws -> Response {
        let format = request.typedQuery("format") ?? "jsonl"
        guard let format = AuditExport.Format(rawValue: format) else { throw Problem.invalid("format", "must be jsonl or csv") }
        return try Self.export(format, try query(request), by: try context.requireCaller(), services: services)
    }

    /// Streams every matching event, a batch at a time, so memory stays flat however many;
    /// refused before it starts if the caller may not read the audit log. The desk's export
    /// (`/desk/audit/export`) is this one with the session's caller.
    static func export(_ format: AuditExport.Format, _ query: AuditService.Query, by caller: Caller, services: GalleyServices) throws -> Response {
        let batches = try services.audit.streamRows(query, by: caller)
        let body = ResponseBody { writer in
            var lines = AuditExport.Writer(format: format)
            if !lines.header.isEmpty { try await writer.write(ByteBuffer(string: lines.header)) }
            for try await batch in batches {
                lines.removeAll()
                try lines.append(batch)
                try await writer.write(ByteBuffer(bytes: lines.bytes))
            }
            try await writer.finish(nil)
        }
        let contentType = format == .csv ? "text/csv; charset=utf-8" : "application/jsonl"
        return Response(status: .ok, headers: [.contentType: contentType], body: body)
    }

    /// The last full verification plus an increment over what changed since (a full one
    /// when there is none to continue from), shared with one already running on this server.
    @Sendable func verify(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let verification = try await services.audit.verification(by: try context.requireCaller())
        var json: [String: JSONValue] = [
            "ok": .bool(verification.ok), "scope": .string(verification.scope.rawValue),
            "events_checked": .number(Double(verification.eventsChecked)), "seals_checked": .number(Double(verification.sealsChecked)),
            "full_verification": Self.full(verification.full, at: verification.checkedAt),
        ]
        if let since = verification.since { json["since"] = .string(RFC3339.format(since)) }
        if let broken = verification.firstBroken {
            json["first_broken_event"] = [
                "id": broken.eventID.map { .number(Double($0)) } ?? .null, "chain": .string(broken.chain),
                "seq": .number(Double(broken.seq)), "problem": .string(broken.problem),
            ]
        }
        return try Reply(.ok, JSONValue.object(json))
    }

    private static func full(_ full: AuditVerification.Full, at now: Date) -> JSONValue {
        [
            "id": .number(Double(full.id)), "started_at": .string(RFC3339.format(full.startedAt)),
            "finished_at": .string(RFC3339.format(full.finishedAt)),
            "age_seconds": .number(max(0, now.timeIntervalSince(full.finishedAt)).rounded(.down)), "verified_by": .string(full.verifiedBy),
            "events_checked": .number(Double(full.eventsChecked)), "seals_checked": .number(Double(full.sealsChecked)), "ok": .bool(full.ok),
        ]
    }
}
