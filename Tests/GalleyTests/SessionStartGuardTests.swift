import Foundation
import GalleyCore
import Postgres
import Testing

@testable import Galley

/// A session starts only if, when it is written, its person is still active with the password
/// that was checked and the name is not locked: a reset, a deactivation or a lock that came
/// while the password was being checked wins.
@Suite struct SessionStartGuardTests {
    static let operatorCaller = Caller(principal: .operator(osUser: "test"))

    func start(_ room: Newsroom, _ candidate: (actor: Actor, passwordHash: String?), at now: Date = Date()) async throws -> Bool {
        try await room.pool.transaction { conn in
            try SessionStore.start(
                conn, id: UUID(), actor: candidate.actor, passwordHash: candidate.passwordHash!,
                secretHash: SessionStore.secretHash(Secrets.random()), clientAddress: "", userAgent: "", at: now)
        }
    }

    func candidate(_ room: Newsroom) async throws -> (actor: Actor, passwordHash: String?) {
        let found = try await room.pool.transaction { conn in try conn.read(ActorStore.signInCandidate(name: "eddie")) }
        return try #require(found)
    }

    @Test func aPasswordSetMeanwhileRefusesTheSession() async throws {
        try await Newsroom.with { room in
            try await room.services.actors.setPassword(for: .name("eddie"), to: "the first password here", by: Self.operatorCaller)
            let checked = try await candidate(room)
            #expect(try await start(room, checked))
            try await room.services.actors.setPassword(for: .name("eddie"), to: "the second password here", by: Self.operatorCaller)
            #expect(try await start(room, checked) == false)
        }
    }

    @Test func aDeactivationMeanwhileRefusesTheSession() async throws {
        try await Newsroom.with { room in
            try await room.services.actors.setPassword(for: .name("eddie"), to: "the first password here", by: Self.operatorCaller)
            let checked = try await candidate(room)
            try await room.pool.execute("UPDATE actors SET active = false WHERE name = 'eddie'")
            #expect(try await start(room, checked) == false)
        }
    }

    @Test func aLockMeanwhileRefusesTheSession() async throws {
        try await Newsroom.with { room in
            try await room.services.actors.setPassword(for: .name("eddie"), to: "the first password here", by: Self.operatorCaller)
            let checked = try await candidate(room)
            let now = Date()
            try await room.pool.execute(
                "INSERT INTO sign_in_locks (name, locked_at, locked_until) VALUES ('eddie', \(now), \(now.addingTimeInterval(900)))")
            #expect(try await start(room, checked, at: now) == false)
        }
    }
}
