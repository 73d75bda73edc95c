import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// `/desk/audit` (audit.read): the audit log filtered a page at a time, the chain's
/// verification when asked for by a POST (the API's: the last full verification plus what
/// changed since, or the whole log when none exists; never on a visit or a followed link,
/// and one at a time per server), and
/// `/desk/audit/export`, the API's streaming CSV or JSONL export with the session's caller.
struct DeskAuditRoutes {
    let services: GalleyServices
    let pages: DeskPages

    static let pageSize = 25
    /// How much of an event's reason the list shows; the export and the API have it whole.
    static let reasonShown = 200

    struct Page {
        let chrome: DeskChrome
        let filters: Filters
        let refusal: String?
        let verification: Verification?
        let events: [Event]
        let hasEvents: Bool
        let nextPage: String?
        let csvExport: String
        let jsonlExport: String
    }

    /// The filter form's values, as sent.
    struct Filters {
        let action: String
        let actor: String
        let articleID: String
        let since: String
        let until: String

        init(_ form: DeskForm) {
            func value(_ name: String) -> String { form[name] ?? "" }
            action = value("action")
            actor = value("actor")
            articleID = value("article_id")
            since = value("since")
            until = value("until")
        }

        var fields: [(String, String?)] {
            [("action", action), ("actor", actor), ("article_id", articleID), ("since", since), ("until", until)]
        }

        /// The service's query, or the refusal naming each field that is not right.
        func query() throws -> AuditService.Query {
            var query = AuditService.Query()
            var problems: [GalleyError.FieldProblem] = []
            for (field, text) in fields where (text ?? "").count > 200 {
                problems.append(.init(field: field, message: "must be at most 200 characters"))
            }
            if !articleID.isEmpty {
                if let id = UUIDFormat.parse(articleID) {
                    query.articleID = id
                } else {
                    problems.append(.init(field: "article_id", message: "must be an article's id (a UUID)"))
                }
            }
            query.action = action.isEmpty ? nil : action
            query.actor = actor.isEmpty ? nil : actor
            for (field, text) in [("since", since), ("until", until)] where !text.isEmpty {
                guard let date = DeskFormat.parseTime(text) else {
                    problems.append(.init(field: field, message: "must be a time such as 2026-12-01T09:00 (UTC)"))
                    continue
                }
                if field == "since" { query.since = date } else { query.until = date }
            }
            if !problems.isEmpty { throw GalleyError.validation(problems) }
            return query
        }
    }

    struct Verification {
        let ok: Bool
        let summary: String
    }

    struct Event {
        let at: String
        let atText: String
        let actor: String
        let action: String
        let articleID: String?
        let articleShort: String?
        let states: String?
        let revisionNumber: String?
        let reason: String?
    }

    func register(on desk: RouterGroup<GalleyRequestContext>) {
        desk.get("audit") { request, context in
            try await audit(try context.requireDesk(), DeskForm(query: request), verify: false)
        }
        // A POST (with the session's CSRF token), so that no link elsewhere starts it.
        desk.post("audit/verification") { _, context in
            try await audit(try context.requireDesk(), try context.requireForm(), verify: true)
        }
        desk.get("audit/export") { request, context in try export(request, context) }
    }

    private func audit(_ visit: DeskVisit, _ form: DeskForm, verify: Bool) async throws -> Response {
        let filters = Filters(form)
        let csv = DeskFormat.link("/desk/audit/export", [("format", "csv")] + filters.fields)
        let jsonl = DeskFormat.link("/desk/audit/export", [("format", "jsonl")] + filters.fields)
        var query: AuditService.Query
        var refusal: DeskNotice?
        do {
            query = try filters.query()
        } catch let error as GalleyError {
            // A mistyped filter is shown on the form, its values kept, over the log unfiltered
            // (which the service still refuses to whoever may not read it).
            refusal = try DeskNotice(error)
            query = AuditService.Query()
        }
        query.limit = Self.pageSize
        query.cursor = refusal == nil ? form.filled("cursor") : nil
        let found = try await services.audit.events(query, by: visit.caller)
        var verification: Verification?
        if verify {
            verification = Self.verification(try await services.audit.verification(by: visit.caller))
        }
        let events = found.items.map { event in
            Event(
                at: RFC3339.format(event.at), atText: DeskFormat.time(event.at), actor: event.actor, action: event.action,
                articleID: event.articleID?.lowercasedString, articleShort: event.articleID.map { String($0.lowercasedString.prefix(8)) },
                states: DeskFormat.states(from: event.fromState, to: event.toState),
                revisionNumber: event.revision.map(String.init), reason: event.reason.map { DeskFormat.excerpt($0, Self.reasonShown) })
        }
        let shownFilters = refusal == nil ? filters.fields : []
        let next = found.nextCursor.map { DeskFormat.link("/desk/audit", shownFilters + [("cursor", $0)]) }
        let page = Page(
            chrome: DeskChrome(visit), filters: filters, refusal: refusal?.message, verification: verification, events: events,
            hasEvents: !events.isEmpty, nextPage: next, csvExport: csv, jsonlExport: jsonl)
        return pages.render("audit", page, status: refusal?.status ?? .ok)
    }

    private static func verification(_ verification: AuditVerification) -> Verification {
        let full = verification.full
        let counted =
            switch verification.scope {
            case .full: "\(verification.eventsChecked) events and \(verification.sealsChecked) seals checked"
            case .incremental:
                "\(verification.eventsChecked) events and \(verification.sealsChecked) seals checked since "
                    + "\(DeskFormat.time(verification.since ?? full.finishedAt)), on top of the full verification of "
                    + "\(DeskFormat.time(full.finishedAt)) (\(full.eventsChecked) events, by \(full.verifiedBy)); "
                    + "events older than that are checked again by the next full verification (`galley audit verify`)"
            }
        guard let broken = verification.firstBroken else {
            return Verification(ok: true, summary: "The audit chain is intact: \(counted).")
        }
        let event = broken.eventID.map { "event \($0)" } ?? "position \(broken.seq)"
        return Verification(
            ok: false, summary: "The audit chain is broken at \(event) of chain \(broken.chain) (seq \(broken.seq)): \(broken.problem). \(counted).")
    }

    /// The API's export (`AuditRoutes.export`), streamed, as a download.
    private func export(_ request: Request, _ context: GalleyRequestContext) throws -> Response {
        let visit = try context.requireDesk()
        let form = try DeskForm(query: request)
        guard let format = AuditExport.Format(rawValue: form["format"] ?? "") else {
            throw GalleyError.validation([.init(field: "format", message: "must be csv or jsonl")])
        }
        let query = try Filters(form).query()
        var response = try AuditRoutes.export(format, query, by: visit.caller, services: services)
        response.headers[.contentDisposition] = "attachment; filename=\"audit-events.\(format.rawValue)\""
        return response
    }
}
