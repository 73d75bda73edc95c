import Foundation
import Galley
import GalleyCore
import HTTPTypes
import Testing

/// Changing and switching off actors: at once, on every server, through every cache.
@Suite struct ActorLifecycleTests {
    static let operatorCaller = Caller(principal: .operator(osUser: "test"))

    /// A new writer with a token, made behind the API's back as an operator would.
    static func newWriter(_ api: APIHarness, _ name: String) async throws -> APIHarness {
        _ = try await api.services.actors.add(.init(name: name, kind: .person, roles: [.writer]), by: operatorCaller)
        let token = try await api.services.actors.issueToken(for: .name(name), by: operatorCaller).token
        return api.knowing([name: token])
    }

    @Test func anActorIsChangedWithItsVersionAsETagAndEveryChangeAudited() async throws {
        try await APIHarness.with { api in
            let eddie = try #require(try await api.actorIDs()["eddie"])
            let changed = try await api.call(
                .patch, "/v1/actors/\(eddie)", as: "ada", json: ["display_name": "Eddie E.", "sections": ["world", "local", "world"]])
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.headers[.eTag] == "\"2\"")
            #expect(changed.json["display_name"] == "Eddie E.")
            #expect(changed.json["sections"] == ["local", "world"])
            #expect(changed.json["active"] == true)
            #expect(changed.json["version"] == 2)
            let stale = try await api.call(.patch, "/v1/actors/\(eddie)", as: "ada", json: ["active": false], headers: [.ifMatch: "\"1\""])
            #expect(stale.status == .preconditionFailed)
            let off = try await api.call(.patch, "/v1/actors/\(eddie)", as: "ada", json: ["active": false], headers: [.ifMatch: "\"2\""])
            #expect(off.status == .ok, "\(off.text)")
            #expect(off.json["active"] == false)
            let on = try await api.call(.patch, "/v1/actors/\(eddie)", as: "ada", json: ["active": true])
            #expect(on.json["version"] == 4)
            let rows = try await api.pool.query(
                "SELECT action, (details->'changes')::text AS changes FROM audit_events WHERE action LIKE 'actor.%' AND action <> 'actor.created' ORDER BY id"
            )
            let actions = try rows.map { try $0.decode("action", as: String.self) }
            #expect(actions == ["actor.updated", "actor.deactivated", "actor.updated"])
            let firstChanges = try rows[0].decode("changes", as: String.self)
            #expect(firstChanges.contains("\"sections\"") && firstChanges.contains("\"display_name\"") && !firstChanges.contains("\"roles\""))
            let events = try await api.pool.query("SELECT type FROM event_stream WHERE type LIKE 'actor.%' ORDER BY event_id")
            #expect(try events.map { try $0.decode("type", as: String.self) } == actions)
        }
    }

    @Test func roleSetsFollowTheRulesOfCreationAndInputIsBounded() async throws {
        try await APIHarness.with { api in
            let ids = try await api.actorIDs()
            let bot = try #require(ids["publish-bot"])
            let editorService = try await api.call(.patch, "/v1/actors/\(bot)", as: "ada", json: ["roles": ["editor"]])
            #expect(editorService.status == .unprocessableContent)
            #expect(editorService.text.contains("services never verify or approve"))
            let eddie = try #require(ids["eddie"])
            for body: JSONValue in [
                ["roles": []], ["roles": ["chief"]], ["sections": ["Not A Slug"]], [:], ["display_name": "  "],
                ["sections": .array((0..<65).map { .string("s\($0)") })], ["roles": .array((0..<8).map { _ in "writer" })],
            ] {
                let reply = try await api.call(.patch, "/v1/actors/\(eddie)", as: "ada", json: body)
                #expect(reply.status == .unprocessableContent, "\(body): \(reply.text)")
                #expect(reply.text.utf8.count < 1_000, "one problem per field, not one per item")
            }
            #expect(try await api.call(.patch, "/v1/actors/\(eddie)", as: "eddie", json: ["active": false]).status == .forbidden)
            let missing = try await api.call(.patch, "/v1/actors/\(UUID().uuidString.lowercased())", as: "ada", json: ["active": false])
            #expect(missing.status == .notFound)
        }
    }

    @Test func theLastActiveAdminAndAnAdminThemselvesCannotBeSwitchedOffOrLoseAdmin() async throws {
        try await APIHarness.with { api in
            let ada = try #require(try await api.actorIDs()["ada"])
            let off = try await api.call(.patch, "/v1/actors/\(ada)", as: "ada", json: ["active": false])
            #expect(off.status == .conflict)
            #expect(off.text.contains("last active admin"))
            let demoted = try await api.call(.patch, "/v1/actors/\(ada)", as: "ada", json: ["roles": ["editor"]])
            #expect(demoted.status == .conflict)
            // With a second admin, either may go, but two admins switching each other off at once
            // cannot both succeed.
            _ = try await api.services.actors.add(.init(name: "alma", kind: .person, roles: [.admin]), by: Self.operatorCaller)
            let almaToken = try await api.services.actors.issueToken(for: .name("alma"), by: Self.operatorCaller).token
            let both = api.knowing(["alma": almaToken])
            let alma = try #require(try await both.actorIDs()["alma"])
            // Nor does an admin lock themselves out: another admin must.
            let own = try await both.call(.patch, "/v1/actors/\(ada)", as: "ada", json: ["active": false])
            #expect(own.status == .conflict)
            #expect(own.text.contains("another admin must"))
            #expect(try await both.call(.patch, "/v1/actors/\(ada)", as: "ada", json: ["roles": ["editor"]]).status == .conflict)
            for _ in 0..<3 {
                async let first = both.call(.patch, "/v1/actors/\(alma)", as: "ada", json: ["active": false])
                async let second = both.call(.patch, "/v1/actors/\(ada)", as: "alma", json: ["active": false])
                let statuses = [try await first.status, try await second.status]
                #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
                let admins = try await api.pool.query("SELECT count(*)::int AS n FROM actors WHERE active AND 'admin' = ANY (roles)")
                #expect(try admins[0].decode("n", as: Int.self) == 1)
                // Both back on for the next round, by the operator.
                for name in ["ada", "alma"] { _ = try await api.services.actors.update(.name(name), .init(active: true), by: Self.operatorCaller) }
            }
        }
    }

    /// Each path is tried first, on both servers, while both remember the token.
    @Test func aDeactivatedActorsTokenIsRefusedOnTheVeryNextRequestOnEveryServer() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            try await api.secondServer { other in
                let paths: [(String, @Sendable (APIHarness, String) async throws -> APIHarness.Reply)] = [
                    ("article read", { server, name in try await server.call(.get, "/v1/articles/\(id)", as: name) }),
                    ("article list", { server, name in try await server.call(.get, "/v1/articles?limit=5", as: name) }),
                    ("transition", { server, name in try await server.transition(id, "submit", as: name) }),
                    ("me", { server, name in try await server.call(.get, "/v1/me", as: name) }),
                ]
                for (index, (path, request)) in paths.enumerated() {
                    let name = "writer\(index)"
                    let first = try await Self.newWriter(api, name)
                    let second = other.knowing(first.tokens)
                    for server in [first, second] {
                        // Remembered, and the article's detail held.
                        #expect(try await server.call(.get, "/v1/articles/\(id)", as: name).status == .ok)
                    }
                    let actor = try #require(try await api.actorIDs()[name])
                    #expect(try await api.call(.patch, "/v1/actors/\(actor)", as: "ada", json: ["active": false]).status == .ok)
                    for (server, label) in [(first, "first"), (second, "second")] {
                        let reply = try await request(server, name)
                        #expect(reply.status == .unauthorized, "\(path) on the \(label) server: \(reply.status) \(reply.text)")
                        #expect(reply.text.contains("deactivated"))
                    }
                }
                // Nothing was written by them, and history still names them.
                let article = try await api.call(.get, "/v1/articles/\(id)")
                #expect(article.json["state"] == "draft")
                let history = try await api.call(.get, "/v1/articles/\(id)/history", as: "eddie")
                #expect(history.text.contains("\"wendy\""))
            }
        }
    }

    @Test func historyStillNamesADeactivatedActor() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let wendy = try #require(try await api.actorIDs()["wendy"])
            #expect(try await api.call(.patch, "/v1/actors/\(wendy)", as: "ada", json: ["active": false]).status == .ok)
            let history = try await api.call(.get, "/v1/articles/\(id)/history", as: "eddie")
            #expect(history.status == .ok)
            #expect(history.text.contains("\"actor\":\"wendy\"") || history.text.contains("\"actor\": \"wendy\""), "\(history.text.prefix(400))")
            let provenance = try await api.call(.get, "/v1/articles/\(id)/provenance", as: "eddie")
            #expect(provenance.text.contains("wendy"))
        }
    }

    /// Before the version check, a server that remembered eddie as an editor let him approve.
    @Test func aRoleTakenAwayIsRefusedOnTheNextRequestOnEveryServer() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            try await api.secondServer { other in
                for server in [api, other] {
                    #expect(try await server.call(.get, "/v1/articles/\(id)", as: "eddie").status == .ok)
                }
                let eddie = try #require(try await api.actorIDs()["eddie"])
                #expect(try await api.call(.patch, "/v1/actors/\(eddie)", as: "ada", json: ["roles": ["writer"]]).status == .ok)
                for server in [api, other] {
                    let approve = try await server.transition(id, "approve", as: "eddie")
                    #expect(approve.status == .forbidden, "\(approve.text)")
                    let spike = try await server.transition(id, "spike", as: "eddie", extra: ["reason": "gone"])
                    #expect(spike.status == .forbidden, "\(spike.text)")
                    // Still served, as what he is now: a writer reads and edits.
                    #expect(try await server.call(.get, "/v1/articles/\(id)", as: "eddie").status == .ok)
                }
                let me = try await other.call(.get, "/v1/me", as: "eddie")
                #expect(me.json["roles"] == ["writer"])
            }
        }
    }

    /// A remembered caller whose actor changed is served once more, as the actor is now, with
    /// the same body; and once only: nothing was written the first time.
    @Test func aChangedActorsRequestIsServedAgainWithItsBodyAndWrittenOnce() async throws {
        try await APIHarness.with { api in
            try await api.secondServer { other in
                let wendy = try #require(try await api.actorIDs()["wendy"])
                for (index, server) in [api, other].enumerated() {
                    #expect(try await server.call(.get, "/v1/me", as: "wendy").status == .ok)
                    let renamed = try await api.call(.patch, "/v1/actors/\(wendy)", as: "ada", json: ["display_name": .string("Wendy \(index)")])
                    #expect(renamed.status == .ok)
                    var body = APIHarness.articleBody
                    if case .object(var object) = body {
                        object["title"] = .string("Story number \(index)")
                        body = .object(object)
                    }
                    let created = try await server.call(.post, "/v1/articles", as: "wendy", json: body)
                    #expect(created.status == .created, "\(created.text)")
                }
                let rows = try await api.pool.query("SELECT count(*)::int AS n FROM articles")
                #expect(try rows[0].decode("n", as: Int.self) == 2)
            }
        }
    }

    @Test func meShowsTheCaller() async throws {
        try await APIHarness.with { api in
            let me = try await api.call(.get, "/v1/me", as: "fiona")
            #expect(me.status == .ok)
            #expect(me.json["name"] == "fiona")
            #expect(me.json["roles"] == ["fact_checker"])
            #expect(me.json["sections"] == [])
            #expect(me.json["active"] == true)
            #expect(me.json["kind"] == "person")
            #expect(me.headers[.eTag] == "\"1\"")
            #expect(try await api.call(.get, "/v1/me", as: nil).status == .unauthorized)
        }
    }

    @Test func tokensAreIssuedWithALabelAndALifetimeAndListedWithoutTheirSecret() async throws {
        try await APIHarness.with { api in
            let ids = try await api.actorIDs()
            let eddie = try #require(ids["eddie"])
            let bot = try #require(ids["publish-bot"])
            let issued = try await api.call(.post, "/v1/actors/\(eddie)/tokens", as: "ada", json: ["label": "laptop"])
            #expect(issued.status == .created, "\(issued.text)")
            #expect(issued.json["label"] == "laptop")
            let expiry = try #require(issued.json["expires_at"]?.stringValue.flatMap(RFC3339.parse))
            #expect(abs(expiry.timeIntervalSinceNow - 90 * 86_400) < 60)
            let both = try await api.call(
                .post, "/v1/actors/\(eddie)/tokens", as: "ada", json: ["expires_in": "30d", "expires_at": "2100-01-01T00:00:00Z"])
            #expect(both.status == .unprocessableContent)
            #expect(try await api.call(.post, "/v1/actors/\(eddie)/tokens", as: "ada", json: ["expires_in": "soon"]).status == .unprocessableContent)
            let service = try await api.call(.post, "/v1/actors/\(bot)/tokens", as: "ada", json: [:])
            #expect(service.status == .unprocessableContent)
            #expect(service.text.contains("expires_in"))
            let forever = try await api.call(.post, "/v1/actors/\(bot)/tokens", as: "ada", json: ["expires_in": "never", "label": "ci"])
            #expect(forever.status == .created)
            #expect(forever.json["expires_at"] == .null)

            let listed = try await api.call(.get, "/v1/actors/\(eddie)/tokens", as: "eddie")
            #expect(listed.status == .ok)
            guard case .array(let items) = listed.json["items"] else {
                Issue.record("no items: \(listed.text)")
                return
            }
            #expect(items.count == 2)
            #expect(items.contains { $0["label"] == "laptop" })
            for item in items {
                guard case .object(let fields) = item else { continue }
                #expect(Set(fields.keys) == ["id", "label", "created_at", "expires_at", "last_used_at", "revoked_at"])
            }
            #expect(!listed.text.contains("glly_"))
            #expect(try await api.call(.get, "/v1/actors/\(eddie)/tokens", as: "ada").status == .ok)
            #expect(try await api.call(.get, "/v1/actors/\(eddie)/tokens", as: "erin").status == .forbidden)
        }
    }
}
