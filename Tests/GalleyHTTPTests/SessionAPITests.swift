import Foundation
import Galley
import GalleyCore
import Testing

/// `GET /v1/sessions` and `DELETE /v1/sessions/{id}`: an admin sees who is signed in to the
/// desk, and signs anyone out.
@Suite struct SessionAPITests {
    static let password = "a long phrase of several words"

    func signIn(_ name: String, on api: APIHarness) async throws -> DeskSession {
        try await api.services.actors.setPassword(for: .name(name), to: Self.password, by: Caller(principal: .operator(osUser: "test")))
        return try await api.services.sessions.signIn(
            name: name, password: Self.password, clientAddress: "192.0.2.7", userAgent: "Firefox", requestID: nil)
    }

    @Test func anAdminListsSessionsByActorAndEndsOne() async throws {
        try await APIHarness.with { api in
            let fiona = try await signIn("fiona", on: api)
            let eddie = try await signIn("eddie", on: api)

            let all = try await api.call(.get, "/v1/sessions", as: "ada")
            #expect(all.status == .ok)
            guard case .array(let items) = all.json["items"] else {
                Issue.record("no items: \(all.text)")
                return
            }
            #expect(items.count == 2)
            #expect(!all.text.contains(fiona.secret) && !all.text.contains(eddie.secret))
            guard case .object(let first) = items[0] else {
                Issue.record("not an object")
                return
            }
            #expect(Set(first.keys) == ["id", "actor_id", "actor", "created_at", "last_seen_at", "client_address", "user_agent"])

            let ids = try await api.actorIDs()
            for filter in ["fiona", try #require(ids["fiona"])] {
                let one = try await api.call(.get, "/v1/sessions?actor=\(filter)", as: "ada")
                guard case .array(let mine) = one.json["items"] else {
                    Issue.record("no items: \(one.text)")
                    return
                }
                #expect(mine.count == 1)
                #expect(mine.first?["id"]?.stringValue == fiona.id.uuidString.lowercased())
                #expect(mine.first?["actor"]?.stringValue == "fiona")
                #expect(mine.first?["client_address"]?.stringValue == "192.0.2.7")
                #expect(mine.first?["user_agent"]?.stringValue == "Firefox")
            }
            let nobody = try await api.call(.get, "/v1/sessions?actor=nobody", as: "ada")
            #expect(nobody.status == .notFound)

            let ended = try await api.call(.delete, "/v1/sessions/\(fiona.id.uuidString.lowercased())", as: "ada")
            #expect(ended.status == .noContent)
            await #expect(throws: GalleyError.self) { try await api.services.sessions.visit(secret: fiona.secret, requestID: nil) }
            #expect(try await api.services.sessions.visit(secret: eddie.secret, requestID: nil).actor.name == "eddie")
            let again = try await api.call(.delete, "/v1/sessions/\(fiona.id.uuidString.lowercased())", as: "ada")
            #expect(again.status == .notFound)
            #expect(again.json["detail"]?.stringValue?.contains("live session") == true)
            let audited = try await api.pool.query("SELECT count(*) AS n FROM audit_events WHERE action = 'session.revoked'")
            #expect(try audited.single?.decode("n", as: Int.self) == 1)
        }
    }
}
