import Foundation
import Galley
import GalleyCore
import Hummingbird

/// `/desk`: the signed-in person's queue, assigned to them first, then what they may take,
/// filtered by step and section, a page at a time; and `/desk/events`, their newest events
/// as Server-Sent Events for the page's live list (`queue.js`).
struct DeskQueueRoutes {
    let services: GalleyServices
    let pages: DeskPages
    let notifier: EventNotifier?

    static let pageSize = 25

    struct Page {
        let chrome: DeskChrome
        let items: [Item]
        let hasItems: Bool
        let steps: [StepOption]
        let section: String
        let filtered: Bool
        let refusal: String?
        let nextPage: String?
        let eventTypes: String
    }

    struct StepOption {
        let value: String
        let selected: Bool
    }

    struct Item {
        let articleID: String
        let title: String
        let section: String
        let waitingFor: String
        let assignee: String
        let overdue: Bool
        let due: String?
        let dueAt: String?
        let waitingSince: String
        let waitingSinceText: String
    }

    func register(on desk: RouterGroup<GalleyRequestContext>) {
        desk.get { request, context in try await queue(request, context) }
        desk.get("events") { request, context in try await events(request, context) }
    }

    private func queue(_ request: Request, _ context: GalleyRequestContext) async throws -> Response {
        let visit = try context.requireDesk()
        let form = try DeskForm(query: request)
        var query = QueueService.Query()
        query.waitingFor = form.filled("waiting_for")
        query.section = form.filled("section")
        query.cursor = form.filled("cursor")
        query.limit = Self.pageSize
        async let policy = services.policy.current(by: visit.caller)
        var found: Galley.Page<QueueItem>?
        var refusal: DeskNotice?
        do {
            found = try await services.queue.page(query, by: visit.caller)
        } catch let error as GalleyError {
            guard case .validation = error else { throw error }
            refusal = try DeskNotice(error)
        }
        var steps: [String] = []
        for rule in try await policy.policy.rules where !steps.contains(rule.checkpoint) { steps.append(rule.checkpoint) }
        steps += [WorkQueue.approval, WorkQueue.changes, WorkQueue.publish]
        let me = visit.actor.id
        let items = (found?.items ?? []).map { item in
            Item(
                articleID: item.articleID.lowercasedString, title: item.title, section: item.section, waitingFor: item.waitingFor,
                assignee: item.assignedTo.map { $0.id == me ? "You" : $0.name } ?? "Unassigned", overdue: item.overdue,
                due: item.dueAt.map(DeskFormat.time), dueAt: item.dueAt.map(RFC3339.format), waitingSince: RFC3339.format(item.waitingSince),
                waitingSinceText: DeskFormat.time(item.waitingSince))
        }
        let next = found?.nextCursor.map { cursor in
            DeskFormat.link("/desk", [("waiting_for", query.waitingFor), ("section", query.section), ("cursor", cursor)])
        }
        let page = Page(
            chrome: DeskChrome(visit), items: items, hasItems: !items.isEmpty,
            steps: steps.map { StepOption(value: $0, selected: $0 == query.waitingFor) }, section: query.section ?? "",
            filtered: query.waitingFor != nil || query.section != nil, refusal: refusal?.message, nextPage: next,
            eventTypes: WebhookEventType.all.joined(separator: " "))
        return pages.render("queue", page, status: refusal?.status ?? .ok)
    }

    /// The caller's own events (`for=me`), with their desk session as the credential: a
    /// browser's EventSource sends the cookie, never a bearer token. The stream ends when the
    /// session does.
    private func events(_ request: Request, _ context: GalleyRequestContext) async throws -> Response {
        let caller = try context.requireDesk().caller
        let filter = EventStreamService.Filter(forMe: true)
        let start = try await EventStreamResponse.start(
            resume: request.headers[.lastEventID], fromStart: false, filter: filter, services: services, caller: caller)
        return try await EventStreamResponse.make(
            from: start, filter: filter, caller: caller, services: services, notifier: notifier,
            farewell: "your desk session has ended; the stream ends")
    }
}
