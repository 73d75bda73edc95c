import Foundation
import Galley
import Postgres
import TestSupport
import Testing

/// A full verification meets each chain's head and the seals' heads in chain order as it
/// reads the chains: a chain removed altogether must be named, and must not hide the
/// chains after it.
@Suite struct AuditRemovedChainTests {
    /// 30 generation chains of 3 events each.
    func chains(_ room: Newsroom) async throws {
        try await room.pool.execute(
            """
            INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_name, action, details, at)
            SELECT 'generation:' || lpad(to_hex(c), 8, '0') || '-0000-4000-8000-000000000000', 0, '', '', 'generator',
                   'generation.progress', jsonb_build_object('round', r), now()
            FROM generate_series(1, 3) AS r, generate_series(1, 30) AS c ORDER BY r, c
            """)
    }

    func chain(_ number: Int) -> String {
        "generation:" + String(format: "%08x", number) + "-0000-4000-8000-000000000000"
    }

    /// Runs SQL as a superuser would, with the audit triggers off.
    func tamper(_ room: Newsroom, _ sql: SQL) async throws {
        try await room.pool.transaction { conn in
            try conn.runScript("ALTER TABLE audit_events DISABLE TRIGGER USER")
            try conn.execute(sql)
            try conn.runScript("ALTER TABLE audit_events ENABLE TRIGGER USER")
        }
    }

    /// One chain, whose successor the seal's heads are searched ahead for, and more chains in
    /// a row than they are searched ahead for.
    @Test(arguments: [[3], Array(3...9)])
    func chainsRemovedWithTheirHeadsAreCaughtByTheSealThatListedThem(numbers: [Int]) async throws {
        try await Newsroom.with { room in
            try await chains(room)
            try await room.services.audit.seal()
            let removed = numbers.map(chain)
            try await tamper(room, "DELETE FROM audit_events WHERE chain = ANY(\(TextArray(removed))::text[])")
            try await room.pool.execute("DELETE FROM audit_chain_heads WHERE chain = ANY(\(TextArray(removed))::text[])")
            let report = try await room.services.audit.verify(by: room.admin)
            #expect(!report.ok)
            #expect(report.firstBroken?.chain == chain(3))
            #expect(report.firstBroken?.problem == "a seal vouches for this event but it is missing")
        }
    }

    @Test func aChainWhoseEventsAreAllRemovedIsNamedByItsHead() async throws {
        try await Newsroom.with { room in
            try await chains(room)
            try await tamper(room, "DELETE FROM audit_events WHERE chain = \(chain(5))")
            let report = try await room.services.audit.verify(by: room.admin)
            #expect(!report.ok)
            #expect(report.firstBroken?.chain == chain(5))
            #expect(report.firstBroken?.problem == "the chain's events are missing")
        }
    }
}
