import Foundation
import Galley
import GalleyCore
import Hummingbird

/// `/desk/articles/{id}/history`: the article's audit timeline, a page at a time, and its
/// provenance record (`/v1/articles/{id}/provenance`) as a card people read: "How this
/// article was checked".
struct DeskHistoryRoutes {
    let services: GalleyServices
    let pages: DeskPages

    static let pageSize = 50
    /// How much of an event's reason the list shows; the export and the API have it whole.
    static let reasonShown = 200
    /// The card's bounds: the API's provenance record has everything.
    static let itemsShown = 30
    static let noteShown = 400
    static let linksShown = 5

    struct Page {
        let chrome: DeskChrome
        let articleID: String
        let title: String
        let events: [Event]
        let hasEvents: Bool
        let laterEvents: String?
        let card: Card
    }

    struct Event {
        let at: String
        let atText: String
        let actor: String
        let action: String
        let states: String?
        let revisionNumber: String?
        let reason: String?
    }

    struct Card {
        let revision: Int
        let contentHash: String
        let author: String
        let createdAt: String
        let createdAtText: String
        let generation: String?
        let verdicts: [Verdict]
        let hasVerdicts: Bool
        let claims: [Claim]
        let hasClaims: Bool
        let approvedBy: String?
        let publication: String
        let corrections: [Correction]
        let hasCorrections: Bool
        /// Set when a list was longer than the card shows.
        let cutShort: String?
    }

    struct Verdict {
        let checkpoint: String
        let verdict: String
        let waived: Bool
        let by: String
        let at: String
        let atText: String
        let hash: String
        let note: String
        let evidence: [Link]
    }

    struct Claim {
        let text: String
        let status: String
        let evidence: [Link]
    }

    struct Link {
        let url: String
        let text: String
    }

    struct Correction {
        let number: Int
        let kind: String
        let note: String
        let revision: Int
        let at: String
        let atText: String
    }

    func register(on desk: RouterGroup<GalleyRequestContext>) {
        desk.get("articles/:id/history") { request, context in try await history(request, context) }
    }

    private func history(_ request: Request, _ context: GalleyRequestContext) async throws -> Response {
        let visit = try context.requireDesk()
        let text = context.parameters.get("id") ?? ""
        guard let id = UUIDFormat.parse(text) else { throw GalleyError.notFound(kind: "article", id: String(text.prefix(64))) }
        let cursor = try DeskForm(query: request).filled("after")
        // The provenance record is read whole, as the API answers it: it is one revision's
        // verdicts, claims and corrections, which the card then bounds (`itemsShown`).
        async let record = services.provenance.record(id, by: visit.caller)
        let timeline = try await services.audit.history(of: id, cursor: cursor, limit: Self.pageSize, by: visit.caller)
        let card = Self.card(try await record)
        let events = timeline.items.map { event in
            Event(
                at: RFC3339.format(event.at), atText: DeskFormat.time(event.at), actor: event.actor, action: event.action,
                states: DeskFormat.states(from: event.fromState, to: event.toState),
                revisionNumber: event.revision.map(String.init), reason: event.reason.map { DeskFormat.excerpt($0, Self.reasonShown) })
        }
        let page = Page(
            chrome: DeskChrome(visit), articleID: id.lowercasedString, title: try await record.revision.content.title, events: events,
            hasEvents: !events.isEmpty,
            laterEvents: timeline.nextCursor.map { DeskFormat.link("/desk/articles/\(id.lowercasedString)/history", [("after", $0)]) },
            card: card)
        return pages.render("history", page)
    }

    private static func card(_ record: ProvenanceRecord) -> Card {
        let revision = record.revision
        let verdicts = record.verdicts.prefix(itemsShown).map { verdict in
            Verdict(
                checkpoint: verdict.checkpoint, verdict: verdict.verdict.rawValue, waived: verdict.verdict == .waived, by: verdict.actor,
                at: RFC3339.format(verdict.createdAt), atText: DeskFormat.time(verdict.createdAt), hash: verdict.contentHash,
                note: DeskFormat.excerpt(verdict.note, noteShown), evidence: links(verdict.evidence))
        }
        let claims = record.claims.prefix(itemsShown).map {
            Claim(text: DeskFormat.excerpt($0.text, noteShown), status: $0.status.rawValue, evidence: links($0.evidence))
        }
        let corrections = record.corrections.prefix(itemsShown).map { correction in
            Correction(
                number: correction.number, kind: correction.kind, note: DeskFormat.excerpt(correction.note, noteShown),
                revision: correction.revision, at: RFC3339.format(correction.createdAt), atText: DeskFormat.time(correction.createdAt))
        }
        let longer = [record.verdicts.count, record.claims.count, record.corrections.count].contains { $0 > itemsShown }
        let generation = record.generation.map { generation in
            "Drafted by \(generation.model) (version \(generation.modelVersion)) from prompt version \(generation.promptVersion)"
        }
        let approvedBy = record.responsibleEditor.map { editor in
            editor.displayName == editor.name ? editor.name : "\(editor.name) (\(editor.displayName))"
        }
        let publication =
            record.isLive
            ? "Published: revision \(revision.number) is live."
            : "Not published: the article is \(record.article.state.rawValue.replacingOccurrences(of: "_", with: " "))."
        return Card(
            revision: revision.number, contentHash: revision.content.contentHash, author: revision.author,
            createdAt: RFC3339.format(revision.createdAt), createdAtText: DeskFormat.time(revision.createdAt), generation: generation,
            verdicts: verdicts, hasVerdicts: !verdicts.isEmpty, claims: claims, hasClaims: !claims.isEmpty, approvedBy: approvedBy,
            publication: publication, corrections: corrections, hasCorrections: !corrections.isEmpty,
            cutShort: longer
                ? "Each list shows its first \(itemsShown); the full record is /v1/articles/\(record.article.id.lowercasedString)/provenance."
                : nil)
    }

    /// Recorded links (`WebLink`: http or https, checked when they were recorded), the first few.
    private static func links(_ evidence: [Evidence]) -> [Link] {
        evidence.prefix(linksShown).map { item in
            Link(url: item.url, text: DeskFormat.excerpt(item.note.flatMap { $0.isEmpty ? nil : $0 } ?? item.url, 200))
        }
    }
}
