import Foundation
import GalleyCore
import Testing

/// DESIGN.md's state machine, pair by pair.
@Suite struct WorkflowTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Facts under which every action's own requirements are met.
    static let satisfied = TransitionFacts(
        now: now, reason: "because", publishAt: now.addingTimeInterval(3600), correctionNote: "fixed a date", notice: "retracted")

    static let expected: [ArticleAction: ([ArticleState], ArticleState)] = [
        .edit: ([.draft, .inReview, .approved, .scheduled, .published, .unpublished], .draft),
        .submit: ([.draft], .inReview),
        .requestChanges: ([.inReview], .draft),
        .approve: ([.inReview], .approved),
        .schedule: ([.approved], .scheduled),
        .unschedule: ([.scheduled], .approved),
        .publish: ([.approved, .scheduled], .published),
        .unpublish: ([.published], .unpublished),
        .retract: ([.published, .unpublished], .retracted),
        .spike: ([.draft, .inReview, .approved, .scheduled], .spiked),
        .restore: ([.spiked], .draft),
    ]

    @Test(arguments: ArticleState.allCases, ArticleAction.allCases)
    func everyStateAndAction(state: ArticleState, action: ArticleAction) throws {
        let (from, to) = try #require(Self.expected[action])
        if from.contains(state) {
            #expect(try Workflow.transition(from: state, action: action, facts: Self.satisfied) == to)
        } else {
            let error = try #require(throws: GalleyError.self) {
                try Workflow.transition(from: state, action: action, facts: Self.satisfied)
            }
            guard case .invalidTransition(let name, let stateName, let unmet) = error else {
                Issue.record("expected invalidTransition, got \(error)")
                return
            }
            #expect(name == action.rawValue)
            #expect(stateName == state.rawValue)
            #expect(unmet.map(\.requirement) == ["state"])
        }
    }

    @Test func retractedIsFinal() {
        for action in ArticleAction.allCases {
            #expect(throws: GalleyError.self) { try Workflow.transition(from: .retracted, action: action, facts: Self.satisfied) }
        }
    }

    @Test func aRefusalListsEveryUnmetRequirement() throws {
        var facts = TransitionFacts(now: Self.now)
        facts.unsatisfiedCheckpoints = [.init("legal_review", "not yet passed"), .init("fact_check", "failed")]
        facts.actorIsService = true
        facts.actorAuthoredCurrentRevision = true
        let error = try #require(throws: GalleyError.self) { try Workflow.transition(from: .draft, action: .approve, facts: facts) }
        guard case .invalidTransition(_, _, let unmet) = error else {
            Issue.record("wrong error \(error)")
            return
        }
        #expect(unmet.map(\.requirement) == ["state", "legal_review", "fact_check", "human_approver", "four_eyes"])
    }

    @Test func requirementsOfEachAction() throws {
        func unmet(_ state: ArticleState, _ action: ArticleAction, _ facts: TransitionFacts) -> [String] {
            do {
                _ = try Workflow.transition(from: state, action: action, facts: facts)
                return []
            } catch {
                guard case .invalidTransition(_, _, let unmet) = error else { return ["?"] }
                return unmet.map(\.requirement)
            }
        }
        let bare = TransitionFacts(now: Self.now)
        #expect(unmet(.inReview, .requestChanges, bare) == ["reason"])
        #expect(unmet(.inReview, .requestChanges, TransitionFacts(now: Self.now, reason: "   ")) == ["reason"])
        #expect(unmet(.approved, .schedule, bare) == ["publish_at"])
        #expect(unmet(.approved, .schedule, TransitionFacts(now: Self.now, publishAt: Self.now)) == ["publish_at"])
        #expect(unmet(.published, .unpublish, bare) == ["reason"])
        #expect(unmet(.published, .retract, bare) == ["reason", "notice"])
        #expect(unmet(.draft, .spike, bare) == ["reason"])
        var republish = bare
        republish.republishesChangedContent = true
        #expect(unmet(.approved, .publish, republish) == ["correction_note"])
        #expect(unmet(.approved, .publish, bare) == [])
    }

    @Test func generationLifecycle() throws {
        try GenerationLifecycle.check(from: .queued, to: .running, attempt: 1, maxAttempts: 3)
        try GenerationLifecycle.check(from: .running, to: .failed, attempt: 1, maxAttempts: 3)
        try GenerationLifecycle.check(from: .failed, to: .queued, attempt: 2, maxAttempts: 3)
        #expect(throws: GalleyError.self) { try GenerationLifecycle.check(from: .failed, to: .queued, attempt: 3, maxAttempts: 3) }
        #expect(throws: GalleyError.self) { try GenerationLifecycle.check(from: .queued, to: .succeeded, attempt: 1, maxAttempts: 3) }
        #expect(throws: GalleyError.self) { try GenerationLifecycle.check(from: .succeeded, to: .running, attempt: 1, maxAttempts: 3) }
    }
}

@Suite struct ContentHashTests {
    func content(_ title: String, sources: [Source]) throws -> ArticleContent {
        try ArticleContent(title: title, dek: "dek", body: "line one\r\nline two", sources: sources)
    }

    @Test func sameContentSameHashWhateverTheNormalForm() throws {
        let a = Source(url: "https://a.example/1", outlet: "A", title: "One")
        let b = Source(url: "https://b.example/2", outlet: "B", title: "Two")
        let composed = try content("Zo\u{00EB}", sources: [a, b])
        let decomposed = try content("Zoe\u{0308}", sources: [b, a])
        #expect(composed.contentHash == decomposed.contentHash)
        #expect(composed.body == "line one\nline two")
        #expect(composed.contentHash.count == 64)
    }

    @Test func anyChangeChangesTheHash() throws {
        let base = try content("Title", sources: [])
        #expect(try content("Title.", sources: []).contentHash != base.contentHash)
        #expect(try content("Title", sources: [Source(url: "https://a.example/1", outlet: "A", title: "")]).contentHash != base.contentHash)
        let moved = try ArticleContent(title: "Title", dek: "", body: "dek\nline one\nline two", sources: [])
        #expect(moved.contentHash != base.contentHash)
    }

    @Test func theCanonicalFormIsDocumentedExactly() throws {
        let text = ArticleContent.canonicalForm(title: "T", dek: "", body: "é", insight: nil, disclosure: "AI", sources: [])
        #expect(text == "galley-content/1\ntitle:1:T\ndek:0:\nbody:2:é\ninsight:-\ndisclosure:2:AI\nsources:0\n")
    }

    /// The content hash covers trimmed text, so our trimming must remove exactly what
    /// Foundation's `.whitespacesAndNewlines` does (the hashes of stored revisions depend on it).
    @Test func trimmingRemovesExactlyFoundationsWhiteSpace() {
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "\(scalar)a\(scalar)"
            if text.trimmingWhiteSpace() != text.trimmingCharacters(in: .whitespacesAndNewlines) {
                Issue.record("U+\(String(value, radix: 16, uppercase: true)) is trimmed differently")
            }
        }
        #expect(" \t\n Zo\u{00EB} \u{3000}\r\n".trimmingWhiteSpace() == "Zo\u{00EB}")
        #expect(" \u{2028} ".trimmingWhiteSpace() == "")
    }

    @Test func invalidContentNamesTheFields() throws {
        let error = try #require(throws: GalleyError.self) {
            try ArticleContent(title: " ", dek: "", body: "", sources: [Source(url: "ftp://x", outlet: "", title: "")])
        }
        guard case .validation(let problems) = error else {
            Issue.record("wrong error")
            return
        }
        #expect(Set(problems.map(\.field)) == ["title", "body", "sources[0].url", "sources[0].outlet"])
    }
}
