import Foundation
import Galley
import Postgres
import TestSupport
import Testing

/// Verification reads the log in id order, the table's own order; a chain's events may take
/// ids out of their order when writers wait for the chain.
@Suite struct AuditOrderTests {
    static let chain = "generation:0000abcd-0000-4000-8000-000000000000"

    /// Writes an event to `chain` with the given id, as the log's trigger links it: the
    /// next position of the chain, whatever the id.
    func write(_ room: Newsroom, id: Int, round: Int) async throws {
        try await room.pool.execute(
            """
            INSERT INTO audit_events (id, chain, seq, prev_hash, hash, actor_name, action, details, at)
            OVERRIDING SYSTEM VALUE
            VALUES (\(id), \(Self.chain), 0, '', '', 'generator', 'generation.progress', jsonb_build_object('round', \(round)), now())
            """)
    }

    @Test func aChainWhoseIdsRunAgainstItsOrderIsIntact() async throws {
        try await Newsroom.with { room in
            // Positions 1…6 with ids falling, then 7…9 rising past them.
            for round in 1...6 { try await write(room, id: 1_000_000 - round, round: round) }
            for round in 7...9 { try await write(room, id: 1_000_000 + round, round: round) }
            let intact = try await room.services.audit.verify(by: room.admin)
            #expect(intact.ok, "\(String(describing: intact.firstBroken))")
            let removed: Int = try await room.pool.query("SELECT id FROM audit_events WHERE chain = \(Self.chain) AND seq = 3")[0].decode("id")
            let after: Int = try await room.pool.query("SELECT id FROM audit_events WHERE chain = \(Self.chain) AND seq = 4")[0].decode("id")
            try await AuditTests().tamper(room, "DELETE FROM audit_events WHERE id = \(removed)")
            let broken = try await room.services.audit.verify(by: room.admin)
            #expect(broken.firstBroken?.chain == Self.chain)
            #expect(broken.firstBroken?.seq == 4)
            #expect(broken.firstBroken?.eventID == after)
            #expect(broken.firstBroken?.problem.contains("expected event 3") == true)
            #expect(broken.eventsChecked == intact.eventsChecked - 1)
        }
    }

    /// Past the events it holds waiting for a predecessor (10,000), the verifier checks the
    /// longest waiting as it is: a chain missing an early event is still named at the gap,
    /// and every event is counted.
    @Test func aLongChainMissingAnEarlyEventIsNamedAtTheGap() async throws {
        try await Newsroom.with { room in
            try await room.pool.execute(
                """
                INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_name, action, details, at)
                SELECT \(Self.chain), 0, '', '', 'generator', 'generation.progress', jsonb_build_object('round', r), now()
                FROM generate_series(1, 10100) AS r ORDER BY r
                """)
            let intact = try await room.services.audit.verify(by: room.admin)
            #expect(intact.ok, "\(String(describing: intact.firstBroken))")
            let after: Int = try await room.pool.query("SELECT id FROM audit_events WHERE chain = \(Self.chain) AND seq = 6")[0].decode("id")
            try await AuditTests().tamper(room, "DELETE FROM audit_events WHERE chain = \(Self.chain) AND seq = 5")
            let broken = try await room.services.audit.verify(by: room.admin)
            #expect(broken.firstBroken?.eventID == after)
            #expect(broken.firstBroken?.problem.contains("expected event 5 of the chain, found 6") == true)
            #expect(broken.eventsChecked == intact.eventsChecked - 1)
        }
    }
}
