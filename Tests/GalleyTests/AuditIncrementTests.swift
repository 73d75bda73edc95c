import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

/// `AuditService.verification`: the last full verification plus an increment over what
/// changed since the log was last verified (docs/audit.md, "Verifying what changed").
extension AuditTests {
    func eventCount(_ room: Newsroom) async throws -> Int {
        try await room.pool.query("SELECT count(*) AS n FROM audit_events")[0].decode("n")
    }

    @Test func anIncrementChecksOnlyTheEventsMadeSinceTheLogWasLastVerified() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            try await room.services.audit.seal()
            // Nothing verified yet: the first verification reads everything, and is recorded.
            let initial = try await room.services.audit.verification(by: room.admin)
            #expect(initial.scope == .full && initial.ok)
            #expect(initial.eventsChecked == (try await eventCount(room)))
            #expect(initial.full.verifiedBy == "ada")

            let before = try await eventCount(room)
            _ = try await room.draft(title: "A later story")
            _ = try await room.act(.unpublish, first, by: room.editor, reason: "Legal hold")
            try await room.services.audit.seal()
            let increment = try await room.services.audit.verification(by: room.admin)
            #expect(increment.scope == .incremental)
            #expect(increment.ok, "\(String(describing: increment.firstBroken))")
            #expect(increment.eventsChecked == (try await eventCount(room)) - before)
            #expect(increment.sealsChecked == 1)
            #expect(increment.full == initial.full)
            #expect(increment.since == initial.full.startedAt)

            // The increment moved the verified positions on: the next one has nothing to read.
            let idle = try await room.services.audit.verification(by: room.admin)
            #expect(idle.scope == .incremental && idle.ok)
            #expect(idle.eventsChecked == 0 && idle.sealsChecked == 0)
        }
    }

    @Test func anEventAlteredAfterTheFullVerificationButMadeSinceIsCaughtByTheIncrement() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            #expect(try await room.services.audit.verify(by: room.admin).ok)
            _ = try await room.act(.unpublish, first, by: room.editor, reason: "Legal hold")
            let id = try await eventID(room, article: first, seq: 6)
            try await tamper(room, "UPDATE audit_events SET reason = 'Nothing happened' WHERE id = \(id)")
            let increment = try await room.services.audit.verification(by: room.admin)
            #expect(increment.scope == .incremental)
            #expect(!increment.ok)
            #expect(increment.firstBroken?.eventID == id)
            #expect(increment.firstBroken?.problem.contains("altered") == true)
            // A broken increment moves nothing on: asked again, it finds the break again.
            #expect(try await room.services.audit.verification(by: room.admin).firstBroken?.eventID == id)
        }
    }

    /// An increment never rereads events verified before, even on a chain it reads: an old
    /// event rewritten is the next full verification's to find, and the answer says which ran.
    @Test func anOldEventAlteredIsCaughtByTheNextFullVerificationNotByAnIncrement() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            #expect(try await room.services.audit.verify(by: room.admin).ok)
            let old = try await eventID(room, article: first, seq: 2)
            try await tamper(room, "UPDATE audit_events SET actor_name = 'mallory' WHERE id = \(old)")
            _ = try await room.act(.unpublish, first, by: room.editor, reason: "Legal hold")
            let increment = try await room.services.audit.verification(by: room.admin)
            #expect(increment.scope == .incremental && increment.ok)
            #expect(increment.eventsChecked == 1)

            let full = try await room.services.audit.verify(by: room.admin)
            #expect(full.scope == .full && !full.ok)
            #expect(full.firstBroken?.eventID == old)
            // The last full verification found the log broken: the next answer is a full one again.
            let next = try await room.services.audit.verification(by: room.admin)
            #expect(next.scope == .full && next.firstBroken?.eventID == old)
            #expect(next.full.id > full.full.id)
        }
    }

    @Test func aVerifiedNewestEventRemovedWithItsHeadRewrittenIsCaughtByTheIncrement() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            #expect(try await room.services.audit.verify(by: room.admin).ok)
            let chain = "article:" + first.uuidString.lowercased()
            try await tamper(room, "DELETE FROM audit_events WHERE id = \(try await eventID(room, article: first, seq: 5))")
            try await room.pool.execute(
                """
                UPDATE audit_chain_heads SET seq = 4, hash = (SELECT hash FROM audit_events WHERE chain = \(chain) AND seq = 4)
                WHERE chain = \(chain)
                """)
            let increment = try await room.services.audit.verification(by: room.admin)
            #expect(increment.scope == .incremental && !increment.ok)
            #expect(increment.firstBroken?.chain == chain)
            #expect(increment.firstBroken?.problem.contains("removed") == true)
        }
    }

    @Test func aNewEventRemovedAfterASealVouchedForItIsCaughtByTheIncrement() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            #expect(try await room.services.audit.verify(by: room.admin).ok)
            _ = try await room.act(.unpublish, first, by: room.editor, reason: "Legal hold")
            try await room.services.audit.seal()
            let chain = "article:" + first.uuidString.lowercased()
            try await tamper(room, "DELETE FROM audit_events WHERE id = \(try await eventID(room, article: first, seq: 6))")
            try await room.pool.execute(
                """
                UPDATE audit_chain_heads SET seq = 5, hash = (SELECT hash FROM audit_events WHERE chain = \(chain) AND seq = 5)
                WHERE chain = \(chain)
                """)
            let increment = try await room.services.audit.verification(by: room.admin)
            #expect(!increment.ok)
            #expect(increment.firstBroken?.chain == chain)
            #expect(increment.firstBroken?.problem.contains("seal") == true)
        }
    }

    @Test func aRewrittenHeadOrSealMadeSinceIsCaughtByTheIncrement() async throws {
        try await Newsroom.with { room in
            let (first, _) = try await history(room)
            #expect(try await room.services.audit.verify(by: room.admin).ok)
            let chain = "article:" + first.uuidString.lowercased()
            try await room.pool.execute("UPDATE audit_chain_heads SET seq = seq, hash = repeat('0', 64) WHERE chain = \(chain)")
            let head = try await room.services.audit.verification(by: room.admin)
            #expect(head.firstBroken?.chain == chain)
            #expect(head.firstBroken?.problem.contains("head was rewritten") == true)

            try await room.pool.execute(
                "UPDATE audit_chain_heads SET seq = seq, hash = (SELECT hash FROM audit_events WHERE chain = \(chain) AND seq = 5) WHERE chain = \(chain)"
            )
            _ = try await room.draft(title: "A later story")
            let seal = try #require(try await room.services.audit.seal()).seal
            try await room.pool.transaction { conn in
                try conn.runScript("ALTER TABLE audit_seals DISABLE TRIGGER USER")
                try conn.execute("UPDATE audit_seals SET heads = '[]' WHERE id = \(seal.id)")
                try conn.runScript("ALTER TABLE audit_seals ENABLE TRIGGER USER")
            }
            let sealed = try await room.services.audit.verification(by: room.admin)
            #expect(sealed.firstBroken?.chain == "seal")
            #expect(sealed.firstBroken?.seq == seal.id)
        }
    }

    /// A chain moved by a transaction still open while an increment takes its snapshot is read
    /// by the next increment, though each reads only the chains moved since the one before.
    @Test func aMoveCommittedDuringAnIncrementIsCheckedByTheNext() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft().article.id
            #expect(try await room.services.audit.verify(by: room.admin).ok)
            let open = try PostgresConnection(connectionString: room.connectionString)
            try open.runScript("BEGIN")
            try open.execute(
                """
                INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_name, action, article_id, at)
                VALUES (\("article:" + id.uuidString.lowercased()), 0, '', '', 'eddie', 'article.spike', \(id), now())
                """)
            _ = try await room.draft(title: "A later story")
            let during = try await room.services.audit.verification(by: room.admin)
            #expect(during.ok && during.eventsChecked == 1)
            try open.runScript("COMMIT")
            let after = try await room.services.audit.verification(by: room.admin)
            #expect(after.ok && after.eventsChecked == 1)
            try await tamper(
                room, "UPDATE audit_events SET actor_name = 'mallory' WHERE chain = \("article:" + id.uuidString.lowercased()) AND seq = 2")
            _ = try await room.act(.submit, id, by: room.writer)
            // The spiked event is behind the verified position now: only the full one rereads it.
            #expect(try await room.services.audit.verification(by: room.admin).ok)
            #expect(try await room.services.audit.verify(by: room.admin).firstBroken?.seq == 2)
        }
    }
}
