import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

/// A scheduled article either goes live when due or comes back to the newsroom saying why.
@Suite struct ScheduledPublishingTests {
    /// An approved second revision of a live article: publishing it changes what readers see.
    private func editedLiveArticle(_ room: Newsroom, title: String) async throws -> UUID {
        let id = try await room.approved(title: title).article.id
        _ = try await room.act(.publish, id, by: room.publisher)
        _ = try await room.services.articles.edit(
            id, content: try Newsroom.content(title, body: "Caracas — 124 prisoners, not 123."), by: room.writer)
        _ = try await room.act(.submit, id, by: room.writer)
        try await room.passCheckpoints(id)
        _ = try await room.act(.approve, id, by: room.editor)
        return id
    }

    private func state(_ room: Newsroom, _ id: UUID) async throws -> (state: String, live: Int?, publishAt: Date?) {
        let row = try await room.pool.query("SELECT state, live_revision, publish_at FROM articles WHERE id = \(id)")[0]
        return (try row.decode("state"), try row.decode("live_revision"), try row.decode("publish_at"))
    }

    @Test func schedulingAnUpdateOfALiveArticleAsksForTheCorrectionNoteAndPublishesWithIt() async throws {
        try await Newsroom.with { room in
            let clock = ManualClock(Date())
            let scheduler = GalleyServices(environment: GalleyEnvironment(pool: room.pool, now: { clock.now }))
            let id = try await editedLiveArticle(room, title: "Prisoners released")
            let at = Date().addingTimeInterval(60)
            let error = try await #require(throws: GalleyError.self) { try await room.act(.schedule, id, by: room.publisher, publishAt: at) }
            #expect(unmetRequirements(error) == ["correction_note"])
            #expect(error.message.contains("public correction note"))
            _ = try await room.act(.schedule, id, by: room.publisher, publishAt: at, correctionNote: "An earlier version gave 123 prisoners.")
            clock.advance(by: 3600)
            _ = try await scheduler.publishing.publishDue()
            #expect(try await state(room, id).state == "published")
            #expect(try await state(room, id).live == 2)
            let corrections = try await room.pool.query("SELECT note FROM corrections WHERE article_id = \(id) AND kind = 'correction'")
            #expect(try corrections.map { try $0.decode("note", as: String.self) } == ["An earlier version gave 123 prisoners."])
            let events = try await room.pool.query("SELECT type FROM event_stream ORDER BY event_id DESC LIMIT 1")
            #expect(try events[0].decode("type", as: String.self) == "article.corrected")
        }
    }

    @Test func aDueArticleThatCannotBePublishedGoesBackToApprovedAndBlocksNoOther() async throws {
        try await Newsroom.with { room in
            let clock = ManualClock(Date())
            let scheduler = GalleyServices(environment: GalleyEnvironment(pool: room.pool, now: { clock.now }))
            var broken: [UUID] = []
            for n in 0..<3 { broken.append(try await editedLiveArticle(room, title: "Broken update \(n)")) }
            // Scheduled behind the scheduler's back, without the correction note publishing needs,
            // and due before the good article.
            _ = try await room.pool.query(
                """
                UPDATE articles SET state = 'scheduled', publish_at = \(Date().addingTimeInterval(10)), version = version + 1
                WHERE id = ANY (\(TextArray(broken))::uuid[])
                """)
            let good = try await room.approved(title: "A good story").article.id
            _ = try await room.act(.schedule, good, by: room.publisher, publishAt: Date().addingTimeInterval(60))
            clock.advance(by: 3600)
            _ = try await scheduler.publishing.publishDue(limit: 2)
            #expect(try await state(room, good).state == "published")
            for id in broken {
                let now = try await state(room, id)
                #expect(now.state == "approved" && now.live == 1 && now.publishAt == nil)
                let events = try await room.pool.query(
                    "SELECT actor_name, from_state, to_state, reason FROM audit_events WHERE article_id = \(id) AND action = 'article.publish_failed'"
                )
                #expect(events.count == 1)
                let event = try #require(events.first)
                #expect(try event.decode("actor_name", as: String.self) == "system:scheduler")
                #expect(try event.decode("from_state", as: String.self) == "scheduled")
                #expect(try event.decode("to_state", as: String.self) == "approved")
                #expect(try event.decode("reason", as: String.self).contains("correction_note"))
                let stream = try await room.pool.query(
                    "SELECT 1 FROM event_stream s JOIN audit_events e ON e.id = s.event_id WHERE e.article_id = \(id) AND s.type = 'article.publish_failed'"
                )
                #expect(stream.count == 1)
            }
            // Nothing is left due, so the next run has nothing to do.
            let again = try await scheduler.publishing.publishDue(limit: 2)
            #expect(again.published == 0 && again.failures.isEmpty)
        }
    }

    /// Scheduling took the article's `publish` step; sending it back to `approved` gives it back.
    @Test func aFailedScheduledPublishWaitsInThePublishersQueueAgain() async throws {
        try await Newsroom.with { room in
            let clock = ManualClock(Date())
            let scheduler = GalleyServices(environment: GalleyEnvironment(pool: room.pool, now: { clock.now }))
            let id = try await editedLiveArticle(room, title: "Prisoners released")
            _ = try await room.act(
                .schedule, id, by: room.publisher, publishAt: Date().addingTimeInterval(60), correctionNote: "An earlier version gave 123.")
            #expect(try await room.services.queue.page(.init(), by: room.publisher).items.isEmpty)
            // Publishing will fail: the correction note it needs is gone.
            _ = try await room.pool.query("UPDATE articles SET scheduled_correction_note = NULL WHERE id = \(id)")
            clock.advance(by: 3600)
            #expect(try await scheduler.publishing.publishDue().failures.map(\.articleID) == [id])
            let items = try await room.services.queue.page(.init(), by: room.publisher).items
            #expect(items.map(\.articleID) == [id] && items.map(\.waitingFor) == ["publish"])
        }
    }
}
