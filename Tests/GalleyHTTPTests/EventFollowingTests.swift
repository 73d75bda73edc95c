import AsyncHTTPClient
import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

/// `GET /v1/events?for=me`, and streams and exports that end when their token stops
/// authenticating.
@Suite(.ownTransactionHorizon) struct EventFollowingTests {
    /// Reads the caller's own events until `count` are there (a transaction of a test running
    /// in parallel holds events back until it ends).
    private func events(
        _ api: APIHarness, as name: String, count: Int, filter: EventStreamService.Filter
    ) async throws -> [EventStreamService.Event] {
        let caller = try await api.services.actors.caller(bearing: try #require(api.tokens[name]), requestID: nil)
        return try await eventually {
            try await api.services.events.read(after: .start, limit: 100, filter: filter, by: caller)
        } until: {
            $0.count >= count
        }
    }

    @Test func forMeStreamsOnlyTheArticlesTheCallerCommentedOnOrIsAssignedTo() async throws {
        try await APIHarness.with { api in
            let commented = try await api.createArticle(title: "Commented")
            let assigned = try await api.createArticle(title: "Assigned")
            let other = try await api.createArticle(title: "Other")
            #expect(try await api.call(.post, "/v1/articles/\(commented)/comments", as: "fiona", json: ["body": "Mine"]).status == .created)
            // The assignments service is another part of the work: its row, as it stores one.
            let fiona = try #require(try await api.services.actors.find(name: "fiona"))
            try await api.ownerPool.execute(
                """
                INSERT INTO assignments (id, article_id, step, assignee_id, assigned_by, created_at)
                VALUES (\(UUID()), \(UUID(uuidString: assigned)!), 'fact_check', \(fiona.id), 'eddie', now())
                """)
            for id in [commented, assigned, other] {
                #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            }
            #expect(try await api.call(.post, "/v1/articles/\(other)/comments", as: "lou", json: ["body": "Not fiona's"]).status == .created)

            let mine = try await events(api, as: "fiona", count: 3, filter: .init(forMe: true))
            #expect(mine.map(\.type) == ["comment.added", "article.submitted", "article.submitted"])
            #expect(mine.map { $0.payload["article_id"]?.stringValue } == [commented, commented, assigned])
            #expect(mine.first?.payload["details"]?["body"] == "Mine")
            // The order is the stream's: every event of the full stream, in its order, filtered.
            let all = try await events(api, as: "eddie", count: 5, filter: .init())
            let positions = all.filter { event in mine.contains { $0.position == event.position } }.map(\.position)
            #expect(positions == mine.map(\.position))

            // Every reader of articles may follow their own; the whole stream stays the audit log's.
            #expect(try await api.call(.get, "/v1/events", as: "fiona").status == .forbidden)
            #expect(try await api.call(.get, "/v1/events?for=you", as: "fiona").status == .unprocessableContent)
            let lou = try await events(api, as: "lou", count: 1, filter: .init(forMe: true))
            #expect(lou.map { $0.payload["article_id"]?.stringValue } == [other, other])
        }
    }

    @Test func anOpenStreamEndsWhenItsTokenIsRevokedOrItsActorDeactivated() async throws {
        try await APIHarness.with { api in
            let server = try await LiveGalley.start(api)
            do {
                let operatorCaller = Caller(principal: .operator(osUser: "test"))
                let lou = try #require(try await api.services.actors.tokens(of: .name("lou"), by: operatorCaller).first)
                let revoked = try await server.secondsUntilEnd(token: api.tokens["lou"]!) {
                    try await api.services.actors.revokeToken(lou.id, by: operatorCaller)
                }
                // A stream checks its caller at every read, at least once a second; the rest is
                // room for a loaded run (a fresh CI clone took 6.7 s once). Unchecked, it never ends.
                #expect(revoked < 10)
                let deactivated = try await server.secondsUntilEnd(token: api.tokens["eddie"]!) {
                    try await api.ownerPool.execute("UPDATE actors SET active = false WHERE name = 'eddie'")
                }
                #expect(deactivated < 10)
                #expect(try await server.status(token: api.tokens["eddie"]!) == 401)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    @Test func anExportStopsAtTheBatchAfterItsTokenIsRevoked() async throws {
        try await APIHarness.with { api in
            _ = try await api.createArticle(title: "One")
            _ = try await api.createArticle(title: "Two")
            let caller = try await api.services.actors.caller(bearing: try #require(api.tokens["lou"]), requestID: nil)
            var batches = try api.services.audit.stream(.init(), batchSize: 1, by: caller).makeAsyncIterator()
            #expect(try await batches.next()?.count == 1)
            let operatorCaller = Caller(principal: .operator(osUser: "test"))
            let token = try #require(try await api.services.actors.tokens(of: .name("lou"), by: operatorCaller).first)
            try await api.services.actors.revokeToken(token.id, by: operatorCaller)
            await #expect(throws: GalleyError.self) { _ = try await batches.next() }
            // The CLI's export has no token to lose.
            var cli = try api.services.audit.stream(.init(), batchSize: 1, by: operatorCaller).makeAsyncIterator()
            #expect(try await cli.next()?.count == 1)
        }
    }
}

extension LiveGalley {
    /// Opens the event stream with `token`, runs `change` once it is open, and returns how
    /// many seconds after the change the server ended the stream; infinity when it was still
    /// open after 15 seconds.
    func secondsUntilEnd(token: String, after change: @escaping @Sendable () async throws -> Void) async throws -> Double {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await client.execute(request, timeout: .seconds(20))
        #expect(response.status.code == 200)
        return try await withThrowingTaskGroup(of: Double.self) { group in
            group.addTask {
                var changedAt: ContinuousClock.Instant?
                for try await _ in response.body where changedAt == nil {
                    try await change()
                    changedAt = .now
                }
                let elapsed = ContinuousClock.now - (changedAt ?? .now)
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            group.addTask {
                try await Task.sleep(for: .seconds(15))
                return .infinity
            }
            let first = try await group.next() ?? .infinity
            group.cancelAll()
            return first
        }
    }
}
