import AsyncHTTPClient
import Foundation
import Galley
import GalleyCore
import GalleyHTTP
import Hummingbird
import Logging
import NIOCore
import Postgres
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

@Suite(.ownTransactionHorizon) struct EventStreamTests {
    /// Under scripts/test, the stream's suites run on the cluster of their own it starts, where
    /// no other suite's transaction holds their events back (a plain `swift test` has one).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["GALLEY_TEST_HORIZON_PGHOST"] != nil))
    func theSuitesDatabasesAreOnTheirOwnCluster() async throws {
        let horizon = try #require(ProcessInfo.processInfo.environment["GALLEY_TEST_HORIZON_PGHOST"])
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let sockets: String = try await pool.query("SELECT current_setting('unix_socket_directories') AS s")[0].decode("s")
            #expect(sockets == horizon)
        }
    }

    /// An event whose transaction commits late is not skipped by a reader that has already
    /// read events with higher ids: it is held back until no older transaction is running.
    @Test func aLateCommittingEventIsNotSkipped() async throws {
        try await WebhookRoom.with { room in
            let ada = Caller(principal: try #require(try await room.api.services.actors.find(name: "ada")).principal)
            let late = try await room.api.createArticle(title: "Late")
            let early = try await room.api.createArticle(title: "Early")
            let open = try PostgresConnection(connectionString: room.api.pool.configuration.connectionString)
            try open.runScript("BEGIN")
            try open.execute(
                """
                INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_name, action, article_id, at)
                VALUES (\("article:" + late), 0, '', '', 'eddie', 'article.spike', \(UUID(uuidString: late)!), now())
                """)
            #expect(try await room.api.transition(early, "submit", as: "wendy").status == .ok)
            // A reader going by id alone would now see the submit, take its id as its position,
            // and never see the spike, whose id is lower but which commits later.
            #expect(try await room.count("SELECT count(*) FROM event_stream") == 1)
            #expect(try await room.api.services.events.read(after: .start, limit: 10, by: ada).isEmpty)
            try open.runScript("COMMIT")
            // Transaction ids are cluster-wide: a transaction of a test running in parallel
            // (another database) holds events back too, until it ends.
            let events = try await eventually {
                try await room.api.services.events.read(after: .start, limit: 10, by: ada)
            } until: {
                $0.count >= 2
            }
            try #require(events.map(\.type) == ["article.spiked", "article.submitted"])
            #expect(events[0].position.eventID < events[1].position.eventID)
            #expect(try await room.api.services.events.read(after: events[1].position, limit: 10, by: ada).isEmpty)
        }
    }

    /// A consumer that wants only some types, or one article, gets exactly those events; a
    /// type that does not exist is refused before the stream starts.
    @Test func theStreamFiltersByTypeAndArticle() async throws {
        try await WebhookRoom.with { room in
            let ada = Caller(principal: try #require(try await room.api.services.actors.find(name: "ada")).principal)
            let first = try await room.publishArticle()
            let second = try await room.publishArticle()
            let events = room.api.services.events
            let all = try await eventually {
                try await events.read(after: .start, limit: 100, by: ada)
            } until: {
                $0.count >= 8
            }
            let published = try await events.read(after: .start, limit: 100, filter: .init(types: ["article.published"]), by: ada)
            #expect(published.map { $0.payload["article_id"]?.stringValue } == [first, second])
            #expect(Set(published.map(\.type)) == ["article.published"])
            let aboutFirst = try await events.read(after: .start, limit: 100, filter: .init(articleID: UUID(uuidString: first)), by: ada)
            #expect(aboutFirst.map(\.type) == ["article.submitted", "verification.recorded", "article.approved", "article.published"])
            #expect(aboutFirst.count + 4 == all.count)

            let refused = try await room.api.call(.get, "/v1/events?type=article.published,article.nope", as: "ada")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("article.nope"))
            #expect(try await room.api.call(.get, "/v1/events?article_id=nope", as: "ada").status == .unprocessableContent)
        }
    }

    @Test func theStreamSendsEventsLiveAndResumesAfterLastEventID() async throws {
        try await WebhookRoom.with { room in
            let server = try await LiveGalley.start(room.api)
            do {
                try await streamAndResume(room, server)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    private func streamAndResume(_ room: WebhookRoom, _ server: LiveGalley) async throws {
        let id = try await room.publishArticle()
        let first = try await server.read(count: 5, token: room.api.tokens["ada"]!, query: "?from=start") { @Sendable () async throws -> Void in
            let reply = try await room.api.transition(id, "unpublish", as: "eddie", extra: ["reason": "legal hold"])
            #expect(reply.status == .ok)
        }
        #expect(
            first.map(\.event) == [
                "article.submitted", "verification.recorded", "article.approved", "article.published", "article.unpublished",
            ])
        let data = try JSONDecoder().decode([String: JSONValue].self, from: Data(first[4].data.utf8))
        #expect(data["event"]?["reason"] == "legal hold")
        #expect(data["event"]?["article_id"]?.stringValue == id)

        let resumed = try await server.read(count: 2, token: room.api.tokens["ada"]!, lastEventID: first[2].id)
        #expect(resumed.map(\.id) == [first[3].id, first[4].id])

        let refused = try await server.status(token: room.api.tokens["wendy"]!)
        #expect(refused == 403)
        #expect(try await server.status(token: room.api.tokens["ada"]!, lastEventID: "nonsense") == 422)
    }
}

/// The API on a real port, with its LISTEN notifier, for streaming responses.
struct LiveGalley {
    struct Event: Sendable {
        var id: String
        var event: String
        var data: String
    }

    let port: Int
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let client: HTTPClient

    static func start(_ api: APIHarness) async throws -> LiveGalley {
        let notifier = EventNotifier(connectionString: api.pool.configuration.connectionString, logger: TestRunLog.logger("notifier"))
        let router = buildRouter(services: api.services, pool: api.pool, metrics: HTTPMetrics(), notifier: notifier)
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), services: [notifier],
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: TestRunLog.logger("live"))
        let group = ServiceGroup(configuration: .init(services: [app], logger: TestRunLog.logger("live")))
        let task = Task { try await group.run() }
        for _ in 0..<500 where port.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(10)) }
        return LiveGalley(port: port.withLock { $0 ?? 0 }, group: group, task: task, client: WebhookDispatcher.makeClient())
    }

    func stop() async {
        try? await client.shutdown()
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    private func request(token: String, query: String, lastEventID: String?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events\(query)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        return request
    }

    func status(token: String, lastEventID: String? = nil) async throws -> UInt {
        let response = try await client.execute(request(token: token, query: "", lastEventID: lastEventID), timeout: .seconds(10))
        return response.status.code
    }

    /// Reads `count` events; `afterFirstBatch` runs once when the stream has caught up with
    /// what existed, to make something happen live.
    func read(
        count: Int, token: String, query: String = "", lastEventID: String? = nil,
        afterFirstBatch: (@Sendable () async throws -> Void)? = nil
    ) async throws -> [Event] {
        let response = try await client.execute(request(token: token, query: query, lastEventID: lastEventID), timeout: .seconds(20))
        var pending = ""
        var events: [Event] = []
        var triggered = false
        for try await chunk in response.body {
            pending += String(buffer: chunk)
            while let range = pending.range(of: "\n\n") {
                let block = pending[..<range.lowerBound]
                pending.removeSubrange(..<range.upperBound)
                var event = Event(id: "", event: "", data: "")
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                    if line.hasPrefix("event: ") { event.event = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { event.data = String(line.dropFirst(6)) }
                }
                if !event.id.isEmpty { events.append(event) }
            }
            if events.count >= count { break }
            if let afterFirstBatch, !triggered, events.count == count - 1 {
                triggered = true
                try await afterFirstBatch()
            }
        }
        return events
    }
}
