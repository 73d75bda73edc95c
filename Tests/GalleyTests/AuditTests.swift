import Foundation
import Galley
import GalleyCore
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite struct AuditTests {
    /// Real history: two articles walked through review and publication, policy and actors.
    func history(_ room: Newsroom) async throws -> (UUID, UUID) {
        let first = try await room.approved().article.id
        _ = try await room.act(.publish, first, by: room.publisher)
        let second = try await room.aiDraft().article.id
        _ = try await room.services.review.addClaim(text: "123 prisoners", revision: 1, on: second, by: room.factChecker)
        return (first, second)
    }

    /// Runs SQL as a superuser would, with the audit triggers off.
    func tamper(_ room: Newsroom, _ statements: SQL...) async throws {
        try await room.pool.transaction { conn in
            try conn.runScript("ALTER TABLE audit_events DISABLE TRIGGER USER")
            for sql in statements { try conn.execute(sql) }
            try conn.runScript("ALTER TABLE audit_events ENABLE TRIGGER USER")
        }
    }

    func eventID(_ room: Newsroom, article: UUID, seq: Int) async throws -> Int {
        try await room.pool.query(
            "SELECT id FROM audit_events WHERE chain = \("article:" + article.uuidString.lowercased()) AND seq = \(seq)"
        )[0].decode("id")
    }

    @Test func everyChangeIsRecordedWithItsActorStateAndRequest() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            let events = try await room.services.audit.history(of: first, by: room.editor)
            #expect(
                events.map(\.action) == [
                    "article.created", "article.submit", "verification.recorded", "article.approve", "article.publish",
                ])
            #expect(events.map(\.actor) == ["wendy", "wendy", "fiona", "eddie", "publish-bot"])
            #expect(events[1].fromState == "draft" && events[1].toState == "in_review")
            #expect(events[3].requestID == "req-eddie")
            #expect(events.map(\.seq) == [1, 2, 3, 4, 5])
        }
    }

    @Test func theChainVerifiesOnRealHistory() async throws {
        try await Newsroom.with { room in
            _ = try await history(room)
            try await room.services.audit.seal()
            let report = try await room.services.audit.verify(by: room.admin)
            #expect(report.ok, "\(String(describing: report.firstBroken))")
            #expect(report.eventsChecked > 15)
            #expect(report.sealsChecked == 1)
        }
    }

    @Test func aSealIsRecordedOnlyWhenAChainHasMoved() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft().article.id
            let chains = try #require(try await room.services.audit.seal()?.heads)
            #expect(chains >= 2)  // the system chain (actors) and the draft's
            #expect(try await room.services.audit.seal()?.heads == nil)
            // The next seal lists only the two chains that moved: the submitted article's, and
            // the new draft's.
            _ = try await room.act(.submit, id, by: room.writer)
            _ = try await room.draft(title: "Another story")
            #expect(try await room.services.audit.seal()?.heads == 2)
            #expect(try await room.services.audit.seal()?.heads == nil)
            let report = try await room.services.audit.verify(by: room.admin)
            #expect(report.ok, "\(String(describing: report.firstBroken))")
            #expect(report.sealsChecked == 2)
        }
    }

    @Test func aModifiedEventIsDetected() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            let id = try await eventID(room, article: first, seq: 4)
            try await tamper(room, "UPDATE audit_events SET actor_name = 'erin' WHERE id = \(id)")
            let report = try await room.services.audit.verify(by: room.admin)
            #expect(!report.ok)
            #expect(report.firstBroken?.eventID == id)
            #expect(report.firstBroken?.problem.contains("altered") == true)
        }
    }

    @Test func aDeletedEventIsDetected() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            let id = try await eventID(room, article: first, seq: 3)
            try await tamper(room, "DELETE FROM audit_events WHERE id = \(id)")
            let report = try await room.services.audit.verify(by: room.admin)
            #expect(!report.ok)
            #expect(report.firstBroken?.seq == 4)
        }
    }

    @Test func aDeletedNewestEventIsDetectedEvenWithTheHeadRewritten() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            try await room.services.audit.seal()
            try await expectTruncationCaughtBySeal(room, article: first)
        }
    }

    /// A chain that has not moved since an earlier seal is not listed again, and is still
    /// protected by that seal.
    @Test func aHeadSealedOnlyInAnEarlierSealIsStillVouchedFor() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            try await room.services.audit.seal()
            _ = try await room.draft(title: "A later story")
            #expect(try await room.services.audit.seal()?.heads == 1)
            try await expectTruncationCaughtBySeal(room, article: first)
        }
    }

    /// A head moved by a transaction still open while a seal reads the heads is listed by
    /// the next seal, though that seal only looks at heads moved since the one before.
    @Test func aMoveCommittedAfterASealIsListedByTheNext() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft().article.id
            try await room.services.audit.seal()
            let open = try PostgresConnection(connectionString: room.connectionString)
            try open.runScript("BEGIN")
            try open.execute(
                """
                INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_name, action, article_id, at)
                VALUES (\("article:" + id.uuidString.lowercased()), 0, '', '', 'eddie', 'article.spike', \(id), now())
                """)
            #expect(try await room.services.audit.seal()?.heads == nil)
            _ = try await room.draft(title: "A later story")
            #expect(try await room.services.audit.seal()?.heads == 1)
            try open.runScript("COMMIT")
            #expect(try await room.services.audit.seal()?.heads == 1)
            try await expectTruncationCaughtBySeal(room, article: id, seq: 2)
        }
    }

    /// Deletes the article's newest event (`seq`, 5 unless given) and rewrites its chain head
    /// to match, then expects `verify` to name the chain, by what a seal vouched for.
    func expectTruncationCaughtBySeal(
        _ room: Newsroom, article: UUID, seq: Int = 5, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let chain = "article:" + article.uuidString.lowercased()
        let id = try await eventID(room, article: article, seq: seq)
        try await tamper(room, "DELETE FROM audit_events WHERE id = \(id)")
        try await room.pool.execute(
            """
            UPDATE audit_chain_heads SET seq = \(seq - 1), hash = (SELECT hash FROM audit_events WHERE chain = \(chain) AND seq = \(seq - 1))
            WHERE chain = \(chain)
            """)
        let report = try await room.services.audit.verify(by: room.admin)
        #expect(!report.ok, sourceLocation: sourceLocation)
        #expect(report.firstBroken?.chain == chain, sourceLocation: sourceLocation)
        #expect(report.firstBroken?.problem.contains("seal") == true, sourceLocation: sourceLocation)
    }

    @Test func anInsertedEventIsDetected() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            let chain = "article:" + first.uuidString.lowercased()
            // A forged event slipped in after the third one: every later link breaks.
            try await tamper(
                room,
                "UPDATE audit_events SET seq = seq + 1000 WHERE chain = \(chain) AND seq > 3",
                "UPDATE audit_events SET seq = seq - 999 WHERE chain = \(chain) AND seq > 1000",
                """
                INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_name, action, article_id, at)
                SELECT chain, 4, hash, repeat('0', 64), 'eddie', 'verification.recorded', article_id, at
                FROM audit_events WHERE chain = \(chain) AND seq = 3
                """)
            let report = try await room.services.audit.verify(by: room.admin)
            #expect(!report.ok)
            #expect(report.firstBroken?.seq == 4)
        }
    }

    @Test func swappedEventsAreDetected() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            let a = try await eventID(room, article: first, seq: 2)
            let b = try await eventID(room, article: first, seq: 3)
            // Swap their places and links, as someone reordering history would.
            try await tamper(
                room,
                "UPDATE audit_events SET seq = 1000 WHERE id = \(a)",
                "UPDATE audit_events SET seq = 2, prev_hash = (SELECT prev_hash FROM audit_events WHERE id = \(a)) WHERE id = \(b)",
                """
                UPDATE audit_events SET seq = 3, prev_hash = (SELECT hash FROM audit_events WHERE id = \(b)) WHERE id = \(a)
                """)
            let report = try await room.services.audit.verify(by: room.admin)
            #expect(!report.ok)
            #expect([a, b].contains(report.firstBroken?.eventID ?? -1))
        }
    }

    @Test func historyCannotBeRewrittenThroughSQL() async throws {
        try await Newsroom.with { room in
            _ = try await history(room)
            let update = await #expect(throws: PostgresError.self) { try await room.pool.execute("UPDATE audit_events SET reason = 'x'") }
            #expect(update?.sqlState == SQLState.insufficientPrivilege)
            await #expect(throws: PostgresError.self) { try await room.pool.execute("DELETE FROM audit_events") }
            await #expect(throws: PostgresError.self) { try await room.pool.execute("TRUNCATE audit_events") }
            await #expect(throws: PostgresError.self) { try await room.pool.execute("UPDATE revisions SET body = 'x'") }
            // The application role lacks the privilege altogether, trigger or not.
            for statement: SQL in ["UPDATE audit_events SET reason = 'x'", "DELETE FROM audit_events"] {
                let error = await #expect(throws: PostgresError.self) {
                    try await room.pool.transaction { conn in
                        try conn.runScript("SET LOCAL ROLE galley_app")
                        try conn.execute(statement)
                    }
                }
                #expect(error?.sqlState == SQLState.insufficientPrivilege)
                #expect(error?.message.contains("permission denied") == true)
            }
        }
    }

    /// Verification reads ranges of chains of up to 20,000 events, two at a time, and hashes
    /// each batch on every core; the break named is still the first in chain order.
    @Test func theFirstBreakIsNamedAcrossBatchesAndCores() async throws {
        try await Newsroom.with { room in
            // 300 chains of 70 events: the first range ends after chain 285.
            try await room.pool.execute(
                """
                INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_name, action, details, at)
                SELECT 'generation:' || lpad(to_hex(c), 8, '0') || '-0000-4000-8000-000000000000', 0, '', '', 'generator',
                       'generation.progress', jsonb_build_object('round', r, 'note', 'a "quoted" \\ note'), now()
                FROM generate_series(1, 70) AS r, generate_series(1, 300) AS c ORDER BY r, c
                """)
            let clean = try await room.services.audit.verify(by: room.admin)
            #expect(clean.ok, "\(String(describing: clean.firstBroken))")
            #expect(clean.eventsChecked > 21_000)
            func event(chain: Int, seq: Int) async throws -> Int {
                let name = "generation:" + String(format: "%08x", chain) + "-0000-4000-8000-000000000000"
                return try await room.pool.query("SELECT id FROM audit_events WHERE chain = \(name) AND seq = \(seq)")[0].decode("id")
            }
            let inBatchTwo = try await event(chain: 290, seq: 5)
            let inSecondHalf = try await event(chain: 200, seq: 10)
            let inFirstHalf = try await event(chain: 3, seq: 70)
            try await tamper(room, "UPDATE audit_events SET actor_name = 'forger' WHERE id IN (\(inBatchTwo), \(inSecondHalf))")
            let two = try await room.services.audit.verify(by: room.admin)
            #expect(two.firstBroken?.eventID == inSecondHalf)
            #expect(two.firstBroken?.seq == 10)
            #expect(two.firstBroken?.problem.contains("altered") == true)
            try await tamper(room, "UPDATE audit_events SET details = '{\"round\": 0}' WHERE id = \(inFirstHalf)")
            let three = try await room.services.audit.verify(by: room.admin)
            #expect(three.firstBroken?.eventID == inFirstHalf)
            #expect(three.eventsChecked == clean.eventsChecked)
            // Heads that undercount make one range of every event, read page after page.
            try await room.pool.execute("UPDATE audit_chain_heads SET seq = 1")
            let lying = try await room.services.audit.verify(by: room.admin)
            #expect(lying.firstBroken?.eventID == inFirstHalf)
            #expect(lying.eventsChecked == clean.eventsChecked)
        }
    }

    /// Verification reads one snapshot: events and heads written meanwhile, on chains it
    /// reads and on new ones, are neither half seen nor taken for removed events.
    @Test func verificationDuringWritesReportsTheLogIntact() async throws {
        try await Newsroom.with { room in
            let edited = try await room.draft().article.id
            // Enough history that a verification takes several statements' time.
            try await room.pool.execute(
                """
                INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_name, action, details, at)
                SELECT 'generation:' || lpad(to_hex(c), 8, '0') || '-0000-4000-8000-000000000000', 0, '', '', 'generator',
                       'generation.progress', jsonb_build_object('round', r), now()
                FROM generate_series(1, 20) AS r, generate_series(1, 300) AS c ORDER BY r, c
                """)
            let writing = Atomic<Bool>(true)
            let writer = Task {
                var round = 0
                while writing.load(ordering: .relaxed) {
                    round += 1
                    _ = try await room.draft(title: "Story \(round)")
                    _ = try await room.services.articles.edit(
                        edited, content: try Newsroom.content("Venezuela releases prisoners, update \(round)"), by: room.writer)
                }
                return round
            }
            for _ in 0..<5 {
                let report = try await room.services.audit.verify(by: room.admin)
                #expect(report.ok, "\(String(describing: report.firstBroken))")
            }
            writing.store(false, ordering: .relaxed)
            #expect(try await writer.value > 0)
        }
    }

    @Test func writesToDifferentArticlesUseDifferentChains() async throws {
        try await Newsroom.with { room in
            let (first, second) = try await history(room)
            let chains = try await room.pool.query("SELECT DISTINCT chain FROM audit_events WHERE article_id IN (\(first), \(second))")
            #expect(chains.count == 2)
        }
    }
}

@Suite struct SchedulerTests {
    @Test func twoSchedulersPublishADueArticleOnce() async throws {
        try await Newsroom.with { room in
            let clock = ManualClock(Date())
            let services = GalleyServices(environment: GalleyEnvironment(pool: room.pool, now: { clock.now }))
            var ids: [UUID] = []
            for n in 0..<5 {
                let id = try await room.approved(title: "Scheduled story \(n)").article.id
                _ = try await room.act(.schedule, id, by: room.publisher, publishAt: Date().addingTimeInterval(60))
                ids.append(id)
            }
            #expect(try await services.publishing.publishDue().published == 0)
            clock.advance(by: 3600)
            async let one = services.publishing.publishDue()
            async let two = services.publishing.publishDue()
            let total = try await one.published + two.published
            #expect(total == 5)
            let published = try await room.pool.query("SELECT count(*) AS n FROM publications")
            #expect(try published[0].decode("n", as: Int.self) == 5)
            #expect(try await services.publishing.publishDue().published == 0)
            for id in ids { #expect(try await room.services.articles.get(id, by: room.editor).article.state == .published) }
        }
    }
}
