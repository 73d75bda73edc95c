import Foundation
import Galley
import GalleyCore
import Hummingbird

/// `/desk`: the signed-in person's queue, assigned to them first, then what they may take.
struct DeskQueueRoutes {
    let services: GalleyServices
    let pages: DeskPages

    struct Page {
        let chrome: DeskChrome
        let items: [Item]
    }

    struct Item {
        let articleID: String
        let title: String
        let section: String
        let waitingFor: String
        let assignee: String
        let overdue: Bool
        let waitingSince: String
    }

    func register(on desk: RouterGroup<GalleyRequestContext>) {
        desk.get { _, context in
            let visit = try context.requireDesk()
            var query = QueueService.Query()
            query.limit = 100
            let page = try await services.queue.page(query, by: visit.caller)
            let items = page.items.map {
                Item(
                    articleID: $0.articleID.lowercasedString, title: $0.title, section: $0.section, waitingFor: $0.waitingFor,
                    assignee: $0.assignedTo?.name ?? "nobody", overdue: $0.overdue, waitingSince: RFC3339.format($0.waitingSince))
            }
            return pages.render("queue", Page(chrome: DeskChrome(visit), items: items))
        }
    }
}
