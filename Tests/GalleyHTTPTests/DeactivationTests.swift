import Foundation
import Galley
import GalleyCore
import HTTPTypes
import Testing

/// What switching a person off ends with them: their open assignments and their tokens.
@Suite struct DeactivationTests {
    static let operatorCaller = Caller(principal: .operator(osUser: "test"))

    @Test func deactivationEndsTheActorsAssignmentsSoTheirStepsReturnToOthersQueues() async throws {
        try await APIHarness.with { api in
            _ = try await api.services.actors.add(.init(name: "fred", kind: .person, roles: [.factChecker]), by: Self.operatorCaller)
            let fredToken = try await api.services.actors.issueToken(for: .name("fred"), by: Self.operatorCaller).token
            let api = api.knowing(["fred": fredToken])
            let id = try await api.createArticle(title: "Bridge reopens")
            #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            let assigned = try await api.call(
                .post, "/v1/articles/\(id)/assignments", as: "eddie", json: ["checkpoint": "source_check", "assignee": "fiona"])
            #expect(assigned.status == .created, "\(assigned.text)")
            func fredsSteps() async throws -> [JSONValue] {
                let queue = try await api.call(.get, "/v1/queue", as: "fred")
                guard case .array(let items) = queue.json["items"] else { throw HarnessError("no items: \(queue.text)") }
                return items
            }
            #expect(try await fredsSteps().isEmpty, "fiona's step is not fred's")

            let fiona = try #require(try await api.actorIDs()["fiona"])
            #expect(try await api.call(.patch, "/v1/actors/\(fiona)", as: "ada", json: ["active": false]).status == .ok)

            #expect(try await api.call(.get, "/v1/articles/\(id)", as: "eddie").json["assignments"] == [])
            let steps = try await fredsSteps()
            #expect(steps.map { $0["waiting_for"] } == ["source_check"])
            #expect(steps.first?["assigned_to"] == nil, "unassigned")
            let history = try await api.call(.get, "/v1/articles/\(id)/history", as: "eddie")
            guard case .array(let events) = history.json["items"] else { throw HarnessError(history.text) }
            let removed = events.filter { $0["action"] == "assignment.removed" }
            #expect(removed.count == 1)
            #expect(removed.first?["actor"] == "ada")
            #expect(removed.first?["details"]?["assignee"] == "fiona")
        }
    }

    @Test func deactivationRevokesTheActorsTokensSoReactivationRevivesNone() async throws {
        try await APIHarness.with { api in
            let wendy = try #require(try await api.actorIDs()["wendy"])
            let second = try await api.services.actors.issueToken(for: .name("wendy"), label: "phone", by: Self.operatorCaller)
            #expect(try await api.call(.get, "/v1/me", as: "wendy").status == .ok)
            let off = try await api.call(.patch, "/v1/actors/\(wendy)", as: "ada", json: ["active": false])
            #expect(off.status == .ok, "\(off.text)")
            let on = try await api.call(.patch, "/v1/actors/\(wendy)", as: "ada", json: ["active": true])
            #expect(on.status == .ok, "\(on.text)")
            #expect(try await api.call(.get, "/v1/me", as: "wendy").status == .unauthorized, "the old token stays dead")
            #expect(try await api.knowing(["wendy": second.token]).call(.get, "/v1/me", as: "wendy").status == .unauthorized)

            let tokens = try await api.call(.get, "/v1/actors/\(wendy)/tokens", as: "ada")
            guard case .array(let items) = tokens.json["items"] else { throw HarnessError(tokens.text) }
            #expect(items.count == 2)
            #expect(items.allSatisfy { $0["revoked_at"] != .null }, "\(tokens.text)")
            let audit = try await api.call(.get, "/v1/audit-events?action=actor.deactivated", as: "ada")
            guard case .array(let events) = audit.json["items"] else { throw HarnessError(audit.text) }
            #expect(events.first?["details"]?["tokens_revoked"] == 2, "\(audit.text)")

            let fresh = try await api.call(.post, "/v1/actors/\(wendy)/tokens", as: "ada", json: [:])
            #expect(fresh.status == .created)
            let token = try #require(fresh.json["token"]?.stringValue)
            #expect(try await api.knowing(["wendy": token]).call(.get, "/v1/me", as: "wendy").status == .ok)
        }
    }

    @Test func aPersonsTokenExpiresWithinAYearAndOnlyAServicesNeverDoes() async throws {
        try await APIHarness.with { api in
            let ids = try await api.actorIDs()
            let eddie = try #require(ids["eddie"])
            let bot = try #require(ids["publish-bot"])
            let never = try await api.call(.post, "/v1/actors/\(eddie)/tokens", as: "ada", json: ["expires_in": "never"])
            #expect(never.status == .unprocessableContent, "\(never.text)")
            #expect(never.text.contains("expires_in") && never.text.contains("only a service"), "\(never.text)")
            let long = try await api.call(.post, "/v1/actors/\(eddie)/tokens", as: "ada", json: ["expires_in": "367d"])
            #expect(long.status == .unprocessableContent)
            #expect(long.text.contains("expires_in") && long.text.contains("366 days"), "\(long.text)")
            let far = try await api.call(.post, "/v1/actors/\(eddie)/tokens", as: "ada", json: ["expires_at": "2100-01-01T00:00:00Z"])
            #expect(far.status == .unprocessableContent)
            #expect(far.text.contains("expires_at") && far.text.contains("366 days"), "\(far.text)")
            #expect(try await api.call(.post, "/v1/actors/\(eddie)/tokens", as: "ada", json: ["expires_in": "366d"]).status == .created)
            #expect(try await api.call(.post, "/v1/actors/\(bot)/tokens", as: "ada", json: ["expires_in": "3650d"]).status == .created)
            #expect(try await api.call(.post, "/v1/actors/\(bot)/tokens", as: "ada", json: ["expires_in": "never"]).status == .created)
            for odd in ["0090d", "+5d", "٣d"] {
                let refused = try await api.call(.post, "/v1/actors/\(bot)/tokens", as: "ada", json: ["expires_in": .string(odd)])
                #expect(refused.status == .unprocessableContent, "\(odd): \(refused.text)")
            }
        }
    }
}
