import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What the actor can do next: steps assigned to them, then unassigned ones; overdue first, then oldest.",
        discussion: "Never a step the actor would be refused (roles, desk, four-eyes).")

    enum Assigned: String, ExpressibleByArgument, CaseIterable {
        case me, unassigned, any
    }

    @Option(help: ArgumentHelp("Only this step: a checkpoint's name, approval, changes or publish.", valueName: "step"))
    var waitingFor: String?
    @Option(help: "Only articles in this section.") var section: String?
    @Option(help: "me, unassigned, or any (steps assigned to others too); default: the actor's and unassigned.")
    var assigned: Assigned?
    @Option(help: "At most this many (1 to 200).") var limit = 50
    @Option(help: "The next_cursor of the previous page.") var cursor: String?
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if !(1...200).contains(limit) { throw ValidationError("--limit must be from 1 to 200.") }
    }

    func run() async throws {
        var query = QueueService.Query()
        query.waitingFor = waitingFor
        query.section = section
        query.assigned =
            switch assigned {
            case .me: .me
            case .unassigned: .unassigned
            case .any: .any
            case nil: .mineAndUnassigned
            }
        query.limit = limit
        query.cursor = cursor
        let page = try await Session.with { session in try await session.services.queue.page(query, by: session.caller(actor)) }
        if output.json { return try Output.json(ListDTO(items: page.items.map(QueueItemDTO.init), next_cursor: page.nextCursor)) }
        Output.table(
            ["article", "waiting for", "assigned to", "due", "waiting since", "section", "title"],
            page.items.map { item in
                [
                    item.articleID.lowercasedString, item.waitingFor, item.assignedTo?.name ?? "-",
                    item.dueAt.map { Output.time($0) + (item.overdue ? " (overdue)" : "") } ?? "-", Output.time(item.waitingSince),
                    item.section, Output.shorten(item.title, to: 50),
                ]
            })
        if let next = page.nextCursor { Output.line("More: --cursor \(next)") }
    }
}

struct Assign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask a named person to take a step of an article (a checkpoint, or approval).",
        discussion: "Refused, with the reasons, when the person could not take the step. Re-assigning a step replaces its assignment.")

    @Argument(help: "The article's id.") var id: UUID
    @Argument(help: "The step: a checkpoint the policy requires of the article, or approval.") var step: String
    @Argument(help: "The assignee's name or id.") var name: String
    @Option(help: ArgumentHelp("When it is due, RFC 3339, e.g. 2026-12-01T09:00:00Z.", valueName: "time")) var due: Date?
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let assignment = try await Session.with { session in
            try await session.services.assignments.assign(.init(step: step, assignee: name, dueAt: due), on: id, by: session.caller(actor))
        }
        if output.json { return try Output.json(AssignmentDTO(assignment)) }
        Output.line(
            "Assigned \(assignment.step) to \(assignment.assignee)" + (assignment.dueAt.map { ", due \(Output.time($0))" } ?? "")
                + " (assignment \(assignment.id.lowercasedString)).")
    }
}

struct Unassign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take back an open assignment.")

    @Argument(help: "The article's id.") var id: UUID
    @Argument(help: "The assignment's id.") var assignmentID: UUID
    @OptionGroup var actor: ActorOptions

    func run() async throws {
        try await Session.with { session in try await session.services.assignments.remove(assignmentID, on: id, by: session.caller(actor)) }
        Output.line("Removed assignment \(assignmentID.lowercasedString).")
    }
}
