import Foundation
import GalleyCore
import Synchronization
import Testing

@testable import Galley

/// Tokens' lifetimes, labels and last use.
@Suite struct TokenLifetimeTests {
    final class Clock: Sendable {
        private let time: Mutex<Date>
        init(_ start: Date) { time = Mutex(start) }
        var now: Date { time.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    /// Before the throttle, every request would have written; it is written once a minute.
    @Test func lastUseIsWrittenAtMostOnceAMinuteAndOffTheRequestsWay() async throws {
        try await Newsroom.with { room in
            let start = Date(timeIntervalSince1970: 1_900_000_000)
            let clock = Clock(start)
            let services = GalleyServices(environment: GalleyEnvironment(pool: room.services.environment.pool, now: { clock.now }))
            let issued = try await services.actors.issueToken(for: .name("eddie"), by: Newsroom.operatorCaller)
            func lastUsed() async throws -> Date? {
                await services.environment.tokenUse.settled()
                return try await services.actors.tokens(of: .name("eddie"), by: Newsroom.operatorCaller).first { $0.id == issued.id }?.lastUsedAt
            }
            #expect(try await lastUsed() == nil)
            _ = try await services.actors.caller(bearing: issued.token, requestID: nil)
            #expect(try await lastUsed() == start)
            clock.advance(30)
            let remembered = try await services.actors.caller(bearing: issued.token, requestID: nil)
            #expect(remembered.isPending)
            #expect(try await lastUsed() == start, "rewritten within the minute")
            clock.advance(31)
            _ = try await services.actors.caller(bearing: issued.token, requestID: nil)
            #expect(try await lastUsed() == start.addingTimeInterval(61))
            // A revoked token's use is not recorded.
            try await services.actors.revokeToken(issued.id, by: Newsroom.operatorCaller)
            clock.advance(120)
            _ = try? await services.actors.caller(bearing: issued.token, requestID: nil)
            #expect(try await lastUsed() == start.addingTimeInterval(61))
        }
    }

    @Test func aPersonsTokenLastsNinetyDaysAndAServicesLifetimeMustBeChosen() async throws {
        try await Newsroom.with { room in
            let start = Date(timeIntervalSince1970: 1_900_000_000)
            let services = GalleyServices(environment: GalleyEnvironment(pool: room.services.environment.pool, now: { start }))
            let actors = services.actors
            let person = try await actors.issueToken(for: .name("eddie"), label: "  laptop ", by: Newsroom.operatorCaller)
            #expect(person.expiresAt == start.addingTimeInterval(90 * 86_400))
            #expect(person.label == "laptop")
            let error = await #expect(throws: GalleyError.self) {
                try await actors.issueToken(for: .name("publish-bot"), by: Newsroom.operatorCaller)
            }
            guard case .validation(let problems)? = error else {
                Issue.record("expected a validation error")
                return
            }
            #expect(problems.map(\.field) == ["expires_in"])
            #expect(problems[0].message.contains("never"))
            #expect(try await actors.issueToken(for: .name("publish-bot"), lifetime: .never, by: Newsroom.operatorCaller).expiresAt == nil)
            let week = try await actors.issueToken(for: .name("publish-bot"), lifetime: .span(604_800), by: Newsroom.operatorCaller)
            #expect(week.expiresAt == start.addingTimeInterval(604_800))
            await #expect(throws: GalleyError.self) {
                try await actors.issueToken(for: .name("eddie"), label: String(repeating: "x", count: 201), by: Newsroom.operatorCaller)
            }
            let listed = try await actors.tokens(of: .name("eddie"), by: Newsroom.operatorCaller)
            #expect(listed.map(\.label) == ["laptop"])
        }
    }

    @Test func anActorListsTheirOwnTokensAndNobodyElsesButAnAdmin() async throws {
        try await Newsroom.with { room in
            _ = try await room.services.actors.issueToken(for: .name("eddie"), by: Newsroom.operatorCaller)
            #expect(try await room.services.actors.tokens(of: .name("eddie"), by: room.editor).count == 1)
            await #expect(throws: GalleyError.self) { try await room.services.actors.tokens(of: .name("eddie"), by: room.writer) }
        }
    }

    @Test func lifetimesAreReadAsTheAPIAndTheCLIGiveThem() {
        #expect(TokenLifetime.parse("never") == .never)
        #expect(TokenLifetime.parse("90d") == .span(90 * 86_400))
        #expect(TokenLifetime.parse("2w") == .span(2 * 604_800))
        #expect(TokenLifetime.parse("12345678901s") == .span(12_345_678_901), "eleven digits, as openapi.yaml's pattern allows")
        for bad in ["", "d", "0d", "-1d", "10y", "soon", "99999999999999999999w", "1.5d", "0090d", "+5d", "٣d", " 5d", "123456789012d"] {
            #expect(TokenLifetime.parse(bad) == nil, "\(bad)")
        }
    }
}
