import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

func unmetRequirements(_ error: any Error) -> [String] {
    guard case GalleyError.invalidTransition(_, _, let unmet) = error else { return ["not a refusal: \(error)"] }
    return unmet.map(\.requirement)
}

@Suite struct EditorialTests {
    @Test func aHumanArticleGoesFromDraftToPublished() async throws {
        try await Newsroom.with { room in
            let draft = try await room.draft()
            #expect(draft.article.state == .draft)
            #expect(draft.article.origin == .human)
            #expect(draft.current.digitalSourceType == nil)
            #expect(draft.checkpoints.map(\.checkpoint) == ["source_check"])
            let approved = try await room.approved()
            #expect(approved.article.state == .approved)
            let published = try await room.act(.publish, approved.article.id, by: room.publisher)
            #expect(published.article.state == .published)
            #expect(published.article.liveRevision == 1)
            #expect(published.article.responsibleEditor == "eddie")
        }
    }

    @Test func theAuthorCannotApproveTheirOwnRevision() async throws {
        try await Newsroom.with { room in
            let article = try await room.services.articles.create(
                .init(content: try Newsroom.content(), section: "world"), by: room.editor)
            _ = try await room.act(.submit, article.article.id, by: room.editor)
            try await room.passCheckpoints(article.article.id)
            let error = await #expect(throws: GalleyError.self) { try await room.act(.approve, article.article.id, by: room.editor) }
            #expect(unmetRequirements(error!) == ["four_eyes"])
            #expect(try await room.act(.approve, article.article.id, by: room.otherEditor).article.state == .approved)
        }
    }

    @Test func servicesNeverApprove() async throws {
        try await Newsroom.with { room in
            let draft = try await room.draft()
            _ = try await room.act(.submit, draft.article.id, by: room.writer)
            try await room.passCheckpoints(draft.article.id)
            let error = await #expect(throws: GalleyError.self) { try await room.act(.approve, draft.article.id, by: room.publisher) }
            guard case .forbidden(let permission, _) = error else {
                Issue.record("expected forbidden, got \(String(describing: error))")
                return
            }
            #expect(permission == "articles.approve")
            // Even a service given a person's role by hand in the database is refused.
            let error2 = await #expect(throws: PostgresError.self) {
                try await room.pool.execute("UPDATE actors SET roles = '{editor}' WHERE name = 'publish-bot'")
            }
            #expect(error2?.isCheckViolation == true)
        }
    }

    @Test func approvalNeedsEveryCheckpointOnTheCurrentText() async throws {
        try await Newsroom.with { room in
            let article = try await room.aiDraft(section: "politics")
            let id = article.article.id
            #expect(article.article.origin == .ai)
            #expect(article.current.digitalSourceType == .trainedAlgorithmicMedia)
            #expect(article.checkpoints.map(\.checkpoint) == ["source_check", "fact_check", "legal_review"])
            _ = try await room.act(.submit, id, by: room.ai)
            let refused = await #expect(throws: GalleyError.self) { try await room.act(.approve, id, by: room.editor) }
            #expect(unmetRequirements(refused!) == ["source_check", "fact_check", "legal_review"])
            try await room.passCheckpoints(id)
            // An edit makes a new revision: the verdicts stay in history but no longer count.
            let edited = try await room.services.articles.edit(
                id, content: try Newsroom.content(body: "Caracas — 124 prisoners were released."), by: room.editor)
            #expect(edited.article.state == .draft)
            #expect(edited.current.number == 2)
            #expect(edited.current.digitalSourceType == .compositeWithTrainedAlgorithmicMedia)
            #expect(edited.checkpoints.allSatisfy { $0.status == .pending })
            #expect(try await room.services.review.verifications(id, by: room.editor).count == 3)
            _ = try await room.act(.submit, id, by: room.writer)
            let stale = await #expect(throws: GalleyError.self) { try await room.act(.approve, id, by: room.otherEditor) }
            #expect(unmetRequirements(stale!) == ["source_check", "fact_check", "legal_review"])
        }
    }

    @Test func aVerdictOnAnOldRevisionIsRefused() async throws {
        try await Newsroom.with { room in
            let draft = try await room.draft()
            _ = try await room.services.articles.edit(draft.article.id, content: try Newsroom.content(body: "New text."), by: room.writer)
            let error = await #expect(throws: GalleyError.self) {
                try await room.services.review.record(
                    .init(checkpoint: "source_check", verdict: .passed, revision: 1), on: draft.article.id, by: room.factChecker)
            }
            guard case .conflict = error else {
                Issue.record("expected conflict, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func onlyThePolicysRolesRecordACheckpointAndWaiversNeedAReason() async throws {
        try await Newsroom.with { room in
            let article = try await room.draft(section: "politics")
            let id = article.article.id
            let byFactChecker = await #expect(throws: GalleyError.self) {
                try await room.services.review.record(.init(checkpoint: "legal_review", verdict: .passed, revision: 1), on: id, by: room.factChecker)
            }
            guard case .forbidden(let permission, _) = byFactChecker else {
                Issue.record("expected forbidden")
                return
            }
            #expect(permission == "checkpoints.record:legal_review")
            let noReason = await #expect(throws: GalleyError.self) {
                try await room.services.review.record(.init(checkpoint: "legal_review", verdict: .waived, revision: 1), on: id, by: room.editor)
            }
            guard case .validation(let problems) = noReason else {
                Issue.record("expected validation")
                return
            }
            #expect(problems.map(\.field) == ["note"])
            let waived = try await room.services.review.record(
                .init(checkpoint: "legal_review", verdict: .waived, revision: 1, note: "Opinion piece, no legal exposure"), on: id, by: room.editor)
            #expect(waived.verdict == .waived)
            let unknown = await #expect(throws: GalleyError.self) {
                try await room.services.review.record(.init(checkpoint: "fact_check", verdict: .passed, revision: 1), on: id, by: room.factChecker)
            }
            guard case .validation = unknown else {
                Issue.record("fact_check is not required for a human article")
                return
            }
        }
    }

    @Test func claimsGateFactCheck() async throws {
        try await Newsroom.with { room in
            let article = try await room.aiDraft(section: "world")
            let id = article.article.id
            let claim = try await room.services.review.addClaim(
                text: "123 political prisoners were released", revision: 1, on: id, by: room.factChecker)
            #expect(claim.status == .unverified)
            let pass = ReviewService.VerdictInput(checkpoint: "fact_check", verdict: .passed, revision: 1)
            for status in [ClaimStatus.unverified, .disputed, .false] {
                _ = try await room.services.review.updateClaim(claim.id, on: id, status: status, evidence: nil, by: room.factChecker)
                let error = await #expect(throws: GalleyError.self) { try await room.services.review.record(pass, on: id, by: room.factChecker) }
                #expect(unmetRequirements(error!) == ["claims"])
            }
            _ = try await room.services.review.updateClaim(
                claim.id, on: id, status: .verified, evidence: [Evidence(url: "https://example.org/ministry-statement")], by: room.factChecker)
            #expect(try await room.services.review.record(pass, on: id, by: room.factChecker).verdict == .passed)
            // A claim disputed after the check passed blocks approval again.
            try await room.passCheckpoints(id)
            _ = try await room.services.review.updateClaim(claim.id, on: id, status: .disputed, evidence: nil, by: room.factChecker)
            _ = try await room.act(.submit, id, by: room.ai)
            let error = await #expect(throws: GalleyError.self) { try await room.act(.approve, id, by: room.editor) }
            #expect(unmetRequirements(error!) == ["fact_check"])
        }
    }

    @Test func policyBySectionAndOriginAndAuditedChanges() async throws {
        try await Newsroom.with { room in
            #expect(try await room.draft(section: "sport").checkpoints.map(\.checkpoint) == ["source_check"])
            #expect(try await room.draft(section: "politics", title: "A").checkpoints.map(\.checkpoint) == ["source_check", "legal_review"])
            #expect(try await room.aiDraft(section: "sport").checkpoints.map(\.checkpoint) == ["source_check", "fact_check"])
            var policy = WorkflowPolicy.default
            policy.rules.append(.init(checkpoint: "sports_desk", sections: ["sport"], roles: [.editor]))
            await #expect(throws: GalleyError.self) { try await room.services.policy.replace(with: policy, by: room.editor) }
            let (version, _) = try await room.services.policy.replace(with: policy, by: room.admin)
            #expect(version == 2)
            #expect(try await room.draft(section: "sport", title: "B").checkpoints.map(\.checkpoint) == ["source_check", "sports_desk"])
            let events = try await room.services.audit.events(
                {
                    var q = AuditService.Query()
                    q.action = "policy.changed"
                    return q
                }(), by: room.admin)
            #expect(events.items.map(\.actor) == ["ada"])
        }
    }

    @Test func generationsFollowTheirLifecycleAndStopRetryingAtTheBound() async throws {
        try await Newsroom.with { room in
            let generation = try await room.services.generations.register(
                .init(brief: .init(section: "world"), model: "gpt-x", modelVersion: "1", promptVersion: "p1"), by: room.ai)
            #expect(generation.status == .queued)
            #expect(generation.attempt == 1)
            let skip = await #expect(throws: GalleyError.self) {
                try await room.services.generations.update(
                    generation.id, .init(status: .succeeded, output: .init(content: try Newsroom.content())), by: room.ai)
            }
            #expect(unmetRequirements(skip!) == ["status"])
            for attempt in 1...3 {
                _ = try await room.services.generations.update(generation.id, .init(status: .running), by: room.ai)
                let failed = try await room.services.generations.update(generation.id, .init(status: .failed, error: "upstream timeout"), by: room.ai)
                #expect(failed.attempt == attempt)
                if attempt < 3 { #expect(try await room.services.generations.retry(generation.id, by: room.ai).attempt == attempt + 1) }
            }
            let exhausted = await #expect(throws: GalleyError.self) { try await room.services.generations.retry(generation.id, by: room.ai) }
            #expect(unmetRequirements(exhausted!) == ["attempts"])
            await #expect(throws: GalleyError.self) {
                try await room.services.generations.register(
                    .init(brief: .init(section: "world"), model: "m", modelVersion: "1", promptVersion: "1"), by: room.writer)
            }
        }
    }

    @Test func republishingChangedTextNeedsACorrectionAndRetractionANotice() async throws {
        try await Newsroom.with { room in
            let id = try await room.approved().article.id
            _ = try await room.act(.publish, id, by: room.editor)
            _ = try await room.services.articles.edit(id, content: try Newsroom.content(body: "Corrected: 122 prisoners."), by: room.writer)
            let stillLive = try await room.services.articles.get(id, by: room.editor)
            #expect(stillLive.article.liveRevision == 1)
            #expect(stillLive.live?.number == 1)
            #expect(stillLive.current.number == 2)
            #expect(stillLive.current.content.body == "Corrected: 122 prisoners.")
            #expect(stillLive.live?.content.body != stillLive.current.content.body)
            _ = try await room.act(.submit, id, by: room.writer)
            try await room.passCheckpoints(id)
            _ = try await room.act(.approve, id, by: room.otherEditor)
            let missingNote = await #expect(throws: GalleyError.self) { try await room.act(.publish, id, by: room.publisher) }
            #expect(unmetRequirements(missingNote!) == ["correction_note"])
            let republished = try await room.act(.publish, id, by: room.publisher, correctionNote: "An earlier version gave the wrong number.")
            #expect(republished.article.liveRevision == 2)
            #expect(republished.article.responsibleEditor == "erin")
            let noNotice = await #expect(throws: GalleyError.self) { try await room.act(.retract, id, by: room.editor, reason: "fabricated source") }
            #expect(unmetRequirements(noNotice!) == ["notice"])
            let retracted = try await room.act(.retract, id, by: room.editor, reason: "fabricated source", notice: "This article has been retracted.")
            #expect(retracted.article.state == .retracted)
            #expect(retracted.article.liveRevision == nil)
            let corrections = try await room.pool.query("SELECT number, kind FROM corrections ORDER BY number")
            #expect(try corrections.map { try $0.decode("kind", as: String.self) } == ["correction", "retraction"])
            await #expect(throws: GalleyError.self) { try await room.act(.restore, id, by: room.editor) }
        }
    }

    @Test func permissionsAreCheckedByRole() async throws {
        try await Newsroom.with { room in
            let draft = try await room.draft()
            let error = await #expect(throws: GalleyError.self) { try await room.act(.spike, draft.article.id, by: room.writer, reason: "dup") }
            guard case .forbidden(let permission, _) = error else {
                Issue.record("expected forbidden")
                return
            }
            #expect(permission == "articles.spike")
            // An AI agent may edit AI drafts only.
            let humanEdit = await #expect(throws: GalleyError.self) {
                try await room.services.articles.edit(draft.article.id, content: try Newsroom.content(body: "AI rewrite"), by: room.ai)
            }
            guard case .forbidden = humanEdit else {
                Issue.record("expected forbidden")
                return
            }
            await #expect(throws: GalleyError.self) {
                try await room.services.actors.add(.init(name: "mallory", kind: .person, roles: [.admin]), by: room.editor)
            }
        }
    }

    @Test func twentyConcurrentApprovalsExactlyOneWins() async throws {
        try await Newsroom.with { room in
            let draft = try await room.draft()
            let id = draft.article.id
            _ = try await room.act(.submit, id, by: room.writer)
            try await room.passCheckpoints(id)
            let outcomes = await withTaskGroup(of: Result<ArticleDetail, any Error>.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        do { return .success(try await room.act(.approve, id, by: room.editor)) } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let winners = outcomes.filter { if case .success = $0 { true } else { false } }
            #expect(winners.count == 1)
            for case .failure(let error) in outcomes {
                let isTyped: Bool =
                    switch error as? GalleyError {
                    case .conflict, .invalidTransition: true
                    default: false
                    }
                #expect(isTyped, "unexpected error \(error)")
            }
            let approvals = try await room.pool.query("SELECT count(*) AS n FROM approvals")
            #expect(try approvals[0].decode("n", as: Int.self) == 1)
        }
    }

    /// Spike is decided on the (cached) article alone and written in one statement without a
    /// lock taken first; the statement's version check still lets exactly one through.
    @Test func twentyConcurrentSpikesExactlyOneWins() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft().article.id
            let outcomes = await withTaskGroup(of: Result<ArticleDetail, any Error>.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        do { return .success(try await room.act(.spike, id, by: room.editor, reason: "Duplicate")) } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .success = $0 { true } else { false } }.count == 1)
            for case .failure(let error) in outcomes {
                guard case .invalidTransition(action: "spike", state: "spiked", _) = error as? GalleyError else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
            }
            let spikes = try await room.pool.query("SELECT count(*) AS n FROM audit_events WHERE action = 'article.spike'")
            #expect(try spikes[0].decode("n", as: Int.self) == 1)
        }
    }

    /// A title's slug is tried in the statement that writes; when it is taken the article is
    /// written again with a piece of its id, and nothing of the refused attempt remains.
    @Test func aRepeatedTitleGetsAPieceOfTheIdInItsSlugAndAChosenTakenSlugIsRefused() async throws {
        try await Newsroom.with { room in
            let first = try await room.draft(title: "Council extends library hours")
            #expect(first.article.slug == "council-extends-library-hours")
            let second = try await room.draft(title: "Council extends library hours")
            let piece = second.article.id.uuidString.lowercased().prefix(8)
            #expect(second.article.slug == "council-extends-library-hours-\(piece)")

            let chosen = ArticleService.NewArticle(content: try Newsroom.content(), section: "world", slug: first.article.slug)
            let error = await #expect(throws: GalleyError.self) { try await room.services.articles.create(chosen, by: room.writer) }
            #expect(error == .conflict("An article with slug council-extends-library-hours already exists; choose another slug."))

            let counts = try await room.pool.query(
                "SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM audit_events WHERE action = 'article.created') AS created")
            #expect(try counts[0].decode("articles", as: Int.self) == 2)
            #expect(try counts[0].decode("created", as: Int.self) == 2)
            #expect(try await room.services.audit.verify(by: room.admin).ok)
        }
    }

    @Test func aStaleExpectedVersionIsRefused() async throws {
        try await Newsroom.with { room in
            let draft = try await room.draft()
            let error = await #expect(throws: GalleyError.self) {
                try await room.services.transitions.perform(
                    .init(.submit, expectedVersion: ExpectedVersion(draft.article.version + 5)), on: draft.article.id, by: room.writer)
            }
            #expect(error == .preconditionFailed(expected: [draft.article.version + 5], actual: draft.article.version))
        }
    }

    /// `q` searches the current text (title, dek, body) with PostgreSQL's full-text search:
    /// stemmed words, kept in step by creation and edits, and by nothing else.
    @Test func fullTextSearchFindsTheCurrentText() async throws {
        try await Newsroom.with { room in
            func found(_ text: String) async throws -> [String] {
                var query = ArticleService.ListQuery()
                query.text = text
                return try await room.services.articles.list(query, by: room.editor).items.map(\.0.slug)
            }
            let prisoners = try await room.draft()
            let budget = try await room.services.articles.create(
                .init(
                    content: try Newsroom.content("Council passes the library budget", body: "The vote was close."),
                    section: "local", tags: []), by: room.writer)
            #expect(try await found("prisoner") == [prisoners.article.slug])
            #expect(try await found("libraries budget") == [budget.article.slug])
            #expect(try await found("prisoners -Caracas").isEmpty)

            _ = try await room.services.articles.edit(
                budget.article.id, content: try Newsroom.content("Council passes the library budget", body: "Caracas was not mentioned."),
                by: room.writer)
            _ = try await room.act(.submit, budget.article.id, by: room.writer)
            #expect(try await found("close vote").isEmpty)
            #expect(try await found("Caracas").sorted() == [budget.article.slug, prisoners.article.slug].sorted())
        }
    }

    @Test func unknownArticlesAreNotFound() async throws {
        try await Newsroom.with { room in
            let id = UUID()
            let error = await #expect(throws: GalleyError.self) { try await room.services.articles.get(id, by: room.editor) }
            #expect(error == .notFound(kind: "article", id: id.uuidString.lowercased()))
        }
    }
}
