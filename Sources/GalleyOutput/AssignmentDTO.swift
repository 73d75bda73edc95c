import Foundation
import Galley
import GalleyCore

/// An actor named in another resource: their id and name.
public struct ActorRefDTO: Encodable, Sendable {
    public var id: String
    public var name: String

    public init(id: UUID, name: String) {
        self.id = id.wire
        self.name = name
    }
}

/// Someone asked to take a step of an article (`checkpoint`: a checkpoint's name or `approval`).
public struct AssignmentDTO: Encodable, Sendable {
    public var id: String
    public var article_id: String
    public var checkpoint: String
    public var assignee: ActorRefDTO
    public var due_at: Date?
    public var assigned_by: String
    public var created_at: Date

    public init(_ assignment: Assignment) {
        id = assignment.id.wire
        article_id = assignment.articleID.wire
        checkpoint = assignment.step
        assignee = ActorRefDTO(id: assignment.assigneeID, name: assignment.assignee)
        due_at = assignment.dueAt
        assigned_by = assignment.assignedBy
        created_at = assignment.createdAt
    }
}

/// One step in a caller's queue (`GET /v1/queue`).
public struct QueueItemDTO: Encodable, Sendable {
    public var article_id: String
    public var title: String
    public var section: String
    public var origin: String
    public var state: String
    public var waiting_for: String
    public var assigned_to: ActorRefDTO?
    public var due_at: Date?
    public var overdue: Bool
    public var waiting_since: Date

    public init(_ item: QueueItem) {
        article_id = item.articleID.wire
        title = item.title
        section = item.section
        origin = item.origin.rawValue
        state = item.state.rawValue
        waiting_for = item.waitingFor
        assigned_to = item.assignedTo.map { ActorRefDTO(id: $0.id, name: $0.name) }
        due_at = item.dueAt
        overdue = item.overdue
        waiting_since = item.waitingSince
    }
}

extension ActorRefDTO: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { out in
            out.member("id", id)
            out.member("name", name)
        }
    }
}

extension AssignmentDTO: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.object { out in
            out.member("article_id", article_id)
            out.member("assigned_by", assigned_by)
            out.member("assignee", assignee)
            out.member("checkpoint", checkpoint)
            out.member("created_at", created_at)
            out.memberIfPresent("due_at", due_at)
            out.member("id", id)
        }
    }
}
