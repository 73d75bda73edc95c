import Foundation
import GalleyCore
import HTTPTypes
import Testing

/// Assignments and the work queue, as API clients meet them.
@Suite struct QueueAPITests {
    @Test func anAssignmentShowsInTheDetailAndTheQueueUntilItIsRemoved() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle(title: "Bridge reopens")
            #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            let before = try await api.call(.get, "/v1/articles/\(id)", as: "fiona")
            let version = try #require(before.headers[.eTag])
            let assigned = try await api.call(
                .post, "/v1/articles/\(id)/assignments", as: "eddie",
                json: ["checkpoint": "source_check", "assignee": "fiona", "due_at": "2020-01-01T09:00:00Z"],
                headers: [.ifMatch: version])
            #expect(assigned.status == .created, "\(assigned.text)")
            #expect(assigned.json["assignee"]?["name"] == "fiona" && assigned.json["checkpoint"] == "source_check")
            #expect(assigned.json["due_at"]?.stringValue.flatMap(RFC3339.parse) == RFC3339.parse("2020-01-01T09:00:00Z"))
            #expect(assigned.json["assigned_by"] == "eddie")
            let assignmentID = try #require(assigned.json["id"]?.stringValue)

            let detail = try await api.call(.get, "/v1/articles/\(id)", as: "fiona")
            #expect(detail.json["assignments"] == .array([assigned.json.jsonValue]))
            let stale = try await api.call(
                .post, "/v1/articles/\(id)/assignments", as: "eddie", json: ["checkpoint": "approval", "assignee": "erin"],
                headers: [.ifMatch: version])
            #expect(stale.status == .preconditionFailed)

            let queue = try await api.call(.get, "/v1/queue", as: "fiona")
            #expect(queue.status == .ok)
            guard case .array(let items) = queue.json["items"], let first = items.first else {
                Issue.record("no queue items: \(queue.text)")
                return
            }
            #expect(first["article_id"] == .string(id) && first["waiting_for"] == "source_check" && first["overdue"] == true)
            #expect(first["title"] == "Bridge reopens" && first["state"] == "in_review" && first["assigned_to"]?["name"] == "fiona")
            let refused = try await api.call(
                .post, "/v1/articles/\(id)/assignments", as: "eddie", json: ["checkpoint": "source_check", "assignee": "wendy"])
            #expect(refused.status == .unprocessableContent && refused.text.contains("wendy cannot take source_check"), "\(refused.text)")
            let badFilter = try await api.call(.get, "/v1/queue?assigned=someone", as: "fiona")
            #expect(badFilter.status.code == 422 || badFilter.status.code == 400)
            #expect(try await api.call(.get, "/v1/queue?waiting_for=", as: "fiona").status == .unprocessableContent)

            let removed = try await api.call(.delete, "/v1/articles/\(id)/assignments/\(assignmentID)", as: "eddie")
            #expect(removed.status == .noContent)
            #expect(try await api.call(.get, "/v1/articles/\(id)", as: "fiona").json["assignments"] == [])
            #expect(try await api.call(.delete, "/v1/articles/\(id)/assignments/\(assignmentID)", as: "eddie").status == .notFound)
        }
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    fileprivate var jsonValue: JSONValue { .object(self) }
}
