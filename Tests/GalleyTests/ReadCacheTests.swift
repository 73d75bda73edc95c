import Foundation
import GalleyCore
import Testing

@testable import Galley

/// The read caches: what one server keeps in memory never hides a change made through
/// another server (a second `GalleyServices` on the same database, with its own caches).
/// Articles are read as the API reads them: as the caller a bearer token names, whose token
/// is checked in the cached detail's statement once the server remembers it.
@Suite struct ReadCacheTests {
    /// Reads an article as the editor, by token.
    private static func reader(_ room: Newsroom) async throws -> @Sendable (UUID) async throws -> ArticleDetail {
        let token = try await room.services.actors.issueToken(for: .name("eddie"), by: Newsroom.operatorCaller).token
        let services = room.services
        return { id in try await services.articles.get(id, by: services.actors.caller(bearing: token, requestID: nil)) }
    }

    @Test func aRevokedTokenIsRefusedAtOnceEvenForACachedArticle() async throws {
        try await Newsroom.with { room in
            let issued = try await room.services.actors.issueToken(for: .name("eddie"), by: Newsroom.operatorCaller)
            let id = try await room.draft().article.id
            for _ in 0..<2 {
                let caller = try await room.services.actors.caller(bearing: issued.token, requestID: "r1")
                let detail = try await room.services.articles.get(id, by: caller)
                #expect(caller.principal.name == "eddie")
                #expect(detail.article.id == id)
            }
            try await GalleyServices(pool: room.pool).actors.revokeToken(issued.id, by: Newsroom.operatorCaller)
            await #expect(throws: GalleyError.self) {
                try await room.services.articles.get(id, by: room.services.actors.caller(bearing: issued.token, requestID: "r2"))
            }
            // Nor is a token that was never issued.
            await #expect(throws: GalleyError.self) {
                try await room.services.articles.get(id, by: room.services.actors.caller(bearing: "glly_forged", requestID: nil))
            }
        }
    }

    /// A transition by a remembered token is written only while the token is live: on the
    /// held detail the statement that writes checks it; otherwise it is checked first.
    @Test func aRevokedRememberedTokenWritesNothing() async throws {
        try await Newsroom.with { room in
            let held = try await room.draft().article.id
            let notHeld = try await GalleyServices(pool: room.pool).articles.create(
                .init(content: try Newsroom.content("Ferry strike ends"), section: "world"), by: room.writer
            ).article.id
            for id in [held, notHeld] {
                let issued = try await room.services.actors.issueToken(for: .name("wendy"), by: Newsroom.operatorCaller)
                let met = try await room.services.actors.caller(bearing: issued.token, requestID: nil)
                #expect(met.isPending == false)
                try await GalleyServices(pool: room.pool).actors.revokeToken(issued.id, by: Newsroom.operatorCaller)
                let remembered = try await room.services.actors.caller(bearing: issued.token, requestID: nil)
                #expect(remembered.isPending)
                let error = await #expect(throws: GalleyError.self) {
                    try await room.services.transitions.perform(.init(.submit), on: id, by: remembered)
                }
                if case .unauthenticated? = error {} else { Issue.record("expected unauthenticated, got \(String(describing: error))") }
                #expect(try await room.services.articles.get(id, by: room.editor).article.state == .draft)
                // Found dead, the token is forgotten: the next request bearing it is checked first.
                let again = await #expect(throws: GalleyError.self) {
                    try await room.services.actors.caller(bearing: issued.token, requestID: nil)
                }
                if case .unauthenticated? = again {} else { Issue.record("expected unauthenticated, got \(String(describing: again))") }
            }
        }
    }

    @Test func anArticleReadAgainShowsEveryChangeMadeElsewhere() async throws {
        try await Newsroom.with { room in
            let other = GalleyServices(pool: room.pool)
            let read = try await Self.reader(room)
            let id = try await room.draft().article.id
            let first = try await read(id)
            #expect(first.article.state == .draft)
            #expect(try await read(id).article.version == first.article.version)

            _ = try await other.transitions.perform(.init(.submit), on: id, by: room.writer)
            let submitted = try await read(id)
            #expect(submitted.article.state == .inReview)
            #expect(submitted.checkpoints.map(\.status) == [.pending])

            _ = try await other.review.record(
                .init(checkpoint: "source_check", verdict: .passed, revision: 1, note: "ok"), on: id, by: room.factChecker)
            #expect(try await read(id).checkpoints.map(\.status) == [.passed])

            _ = try await other.articles.edit(id, content: try Newsroom.content("Prisoners released in Caracas"), by: room.writer)
            let edited = try await read(id)
            #expect(edited.current.number == 2)
            #expect(edited.current.content.title == "Prisoners released in Caracas")
            #expect(edited.checkpoints.map(\.status) == [.pending])
        }
    }

    /// Details read after a change leave out the revisions this server holds already; what
    /// they show is what a server without a cache reads.
    /// Expects `detail` to be what a server without a cache reads now.
    private static func expectStored(
        _ detail: ArticleDetail, in room: Newsroom, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let uncached = GalleyServices(environment: GalleyEnvironment(pool: room.pool, caches: ReadCaches(megabytes: 0)))
        let stored = try await uncached.articles.get(detail.article.id, by: room.editor)
        #expect(detail.article == stored.article, sourceLocation: sourceLocation)
        #expect(detail.current == stored.current, sourceLocation: sourceLocation)
        #expect(detail.live == stored.live, sourceLocation: sourceLocation)
        #expect(detail.checkpoints == stored.checkpoints, sourceLocation: sourceLocation)
    }

    @Test func aDetailBuiltWithRevisionsAlreadyHeldIsTheDetailAsStored() async throws {
        try await Newsroom.with { room in
            func expectStored(_ detail: ArticleDetail, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                try await Self.expectStored(detail, in: room, sourceLocation: sourceLocation)
            }
            let id = try await room.approved().article.id
            let published = try await room.act(.publish, id, by: room.publisher)
            #expect(published.live?.number == 1)
            try await expectStored(published)

            _ = try await room.services.articles.edit(id, content: try Newsroom.content("Prisoners released in Caracas"), by: room.writer)
            let edited = try await room.services.articles.get(id, by: room.editor)
            #expect(edited.current.number == 2 && edited.live?.number == 1)
            try await expectStored(edited)

            let submitted = try await room.act(.submit, id, by: room.writer)
            #expect(submitted.current.content.title == "Prisoners released in Caracas")
            try await expectStored(submitted)
            _ = try await room.services.review.record(
                .init(checkpoint: "source_check", verdict: .passed, revision: 2, note: "ok"), on: id, by: room.factChecker)
            try await expectStored(try await room.act(.approve, id, by: room.editor))
        }
    }

    /// Transitions that decide on the article alone, and publishing, answer from the cached
    /// detail while it is still the article's, and read it afresh once a change elsewhere
    /// made it stale.
    @Test func aTransitionAnswersFromTheCachedDetailOnlyWhileItIsCurrent() async throws {
        try await Newsroom.with { room in
            let other = GalleyServices(pool: room.pool)
            let approved = try await room.approved(section: "world", title: "Harbour ferry hires forty crew").article.id
            let id = try await room.draft(section: "world").article.id
            _ = try await room.act(.submit, id, by: room.writer)
            try await Self.expectStored(try await room.act(.requestChanges, id, by: room.editor, reason: "Name the second source"), in: room)
            _ = try await room.act(.submit, id, by: room.writer)

            _ = try await other.review.record(
                .init(checkpoint: "source_check", verdict: .passed, revision: 1, note: "ok"), on: id, by: room.factChecker)
            let sentBack = try await room.act(.requestChanges, id, by: room.editor, reason: "Name the second source")
            #expect(sentBack.checkpoints.map(\.status) == [.passed])
            try await Self.expectStored(sentBack, in: room)

            var policy = try await other.policy.current(by: room.admin).policy
            policy.rules.append(.init(checkpoint: "legal_review", sections: ["world"], roles: [.legal]))
            _ = try await other.policy.replace(with: policy, by: room.admin)
            let spiked = try await room.act(.spike, id, by: room.editor, reason: "Overtaken by events")
            #expect(spiked.checkpoints.map(\.checkpoint) == ["source_check", "legal_review"])
            try await Self.expectStored(spiked, in: room)
            // Approved before the policy changed; published after, it shows the new checkpoint.
            let published = try await room.act(.publish, approved, by: room.publisher)
            #expect(published.checkpoints.map(\.checkpoint) == ["source_check", "legal_review"])
            try await Self.expectStored(published, in: room)
        }
    }

    /// A cached article that another server has moved on must neither refuse an action the
    /// article now allows nor let one through that it now refuses.
    @Test func aTransitionIsDecidedOnTheArticleAsItIsNotAsCached() async throws {
        try await Newsroom.with { room in
            let other = GalleyServices(pool: room.pool)
            let id = try await room.draft().article.id
            _ = try await room.act(.submit, id, by: room.writer)  // cached here: in_review
            _ = try await other.transitions.perform(.init(.requestChanges, reason: "Name the second source"), on: id, by: room.editor)
            let resubmitted = try await room.act(.submit, id, by: room.writer)
            #expect(resubmitted.article.state == .inReview)
            try await Self.expectStored(resubmitted, in: room)

            _ = try await other.transitions.perform(.init(.spike, reason: "Overtaken by events"), on: id, by: room.editor)
            let error = await #expect(throws: GalleyError.self) {
                try await room.act(.requestChanges, id, by: room.editor, reason: "Name the second source")
            }
            guard case .invalidTransition(action: "request_changes", state: "spiked", _) = error else {
                Issue.record("expected the spiked article to refuse, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func aPolicyChangeMadeElsewhereChangesTheCheckpointsShown() async throws {
        try await Newsroom.with { room in
            let other = GalleyServices(pool: room.pool)
            let read = try await Self.reader(room)
            let id = try await room.draft(section: "world").article.id
            #expect(try await read(id).checkpoints.map(\.checkpoint) == ["source_check"])

            var policy = try await other.policy.current(by: room.admin).policy
            policy.rules.append(.init(checkpoint: "legal_review", sections: ["world"], roles: [.legal]))
            _ = try await other.policy.replace(with: policy, by: room.admin)
            #expect(
                try await read(id).checkpoints.map(\.checkpoint) == ["source_check", "legal_review"])
        }
    }

    @Test func aListShowsEachArticlesCurrentRevisionAfterAnEditElsewhere() async throws {
        try await Newsroom.with { room in
            let other = GalleyServices(pool: room.pool)
            let id = try await room.draft().article.id
            var query = ArticleService.ListQuery()
            query.state = .draft
            #expect(
                try await room.services.articles.list(query, by: room.editor).items.map(\.1.content.title) == [
                    "Venezuela releases political prisoners"
                ])

            _ = try await other.articles.edit(id, content: try Newsroom.content("Prisoners released in Caracas"), by: room.writer)
            let items = try await room.services.articles.list(query, by: room.editor).items
            #expect(items.map(\.1.number) == [2])
            #expect(items.map(\.1.content.title) == ["Prisoners released in Caracas"])
        }
    }

    @Test func aCacheKeepsWithinItsCapacityAndForgetsTheOldestFirst() {
        let cache = BoundedCache<Int, String>(capacity: 100)
        for key in 0..<10 { cache.store("value \(key)", for: key, cost: 30) }
        #expect(cache.usage.entries == 3)
        #expect(cache.usage.bytes == 90)
        #expect(cache.value(for: 6) == nil)
        #expect((7..<10).map { cache.value(for: $0) } == ["value 7", "value 8", "value 9"])

        cache.store("bigger 8", for: 8, cost: 50)  // replacing frees the old cost, then 7 must go
        #expect(cache.value(for: 7) == nil)
        #expect(cache.value(for: 8) == "bigger 8")
        #expect(cache.usage.bytes == 80)

        cache.store("too big", for: 11, cost: 101)
        #expect(cache.value(for: 11) == nil)
        #expect(BoundedCache<Int, String>(capacity: 0).usage.entries == 0)
    }
}
