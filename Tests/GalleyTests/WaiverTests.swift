import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

/// Waivers are the workflow policy's to allow, and four eyes hold for verification too.
@Suite struct WaiverTests {
    /// The attack: one editor waives the checks of an AI draft, then it is approved and
    /// published with no checkpoint passed by anyone.
    @Test func anEditorCannotWaiveTheChecksOfAnAIDraft() async throws {
        try await Newsroom.with { room in
            let id = try await room.aiDraft(section: "politics").article.id
            _ = try await room.act(.submit, id, by: room.ai)
            for checkpoint in ["fact_check", "legal_review", "source_check"] {
                let error = try await #require(throws: GalleyError.self) {
                    try await room.services.review.record(
                        .init(checkpoint: checkpoint, verdict: .waived, revision: 1, note: "No time, trust the model"), on: id, by: room.editor)
                }
                #expect(unmetRequirements(error) == ["waiver"])
                #expect(error.message.contains("may not be waived") || error.message.contains("does not let \(checkpoint) be waived"))
            }
            let approval = try await #require(throws: GalleyError.self) { try await room.act(.approve, id, by: room.otherEditor) }
            #expect(unmetRequirements(approval) == ["source_check", "fact_check", "legal_review"])
            let publication = try await #require(throws: GalleyError.self) { try await room.act(.publish, id, by: room.publisher) }
            #expect(unmetRequirements(publication).contains("state"))
            #expect(try await room.services.review.verifications(id, by: room.editor).isEmpty)
        }
    }

    @Test func aWaiverNeedsAReason() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft().article.id
            for note in ["", "   \n"] {
                let error = try await #require(throws: GalleyError.self) {
                    try await room.services.review.record(
                        .init(checkpoint: "source_check", verdict: .waived, revision: 1, note: note), on: id, by: room.editor)
                }
                guard case .validation(let problems) = error else {
                    Issue.record("expected validation, got \(String(describing: error))")
                    return
                }
                #expect(problems.map(\.field) == ["note"])
            }
        }
    }

    @Test func whoeverWaivedACheckpointCannotApproveTheRevision() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft().article.id
            _ = try await room.act(.submit, id, by: room.writer)
            _ = try await room.services.review.record(
                .init(checkpoint: "source_check", verdict: .waived, revision: 1, note: "Wire copy, checked upstream"), on: id, by: room.editor)
            let error = try await #require(throws: GalleyError.self) { try await room.act(.approve, id, by: room.editor) }
            #expect(unmetRequirements(error) == ["four_eyes"])
            #expect(error.message.contains("you waived source_check"))
            #expect(try await room.act(.approve, id, by: room.otherEditor).article.state == .approved)
        }
    }

    @Test func theAuthorOfARevisionCannotPassOrWaiveACheckpointOnIt() async throws {
        try await Newsroom.with { room in
            let id = try await room.services.articles.create(
                .init(content: try Newsroom.content(), section: "world", tags: []), by: room.editor
            ).article.id
            for verdict in [Verdict.passed, .waived] {
                let error = try await #require(throws: GalleyError.self) {
                    try await room.services.review.record(
                        .init(checkpoint: "source_check", verdict: verdict, revision: 1, note: "Mine, and fine"), on: id, by: room.editor)
                }
                #expect(unmetRequirements(error) == ["four_eyes"])
                #expect(error.message.contains("you wrote revision 1, so someone else must check it"))
            }
            #expect(
                try await room.services.review.record(.init(checkpoint: "source_check", verdict: .passed, revision: 1), on: id, by: room.factChecker)
                    .verdict == .passed)
        }
    }

    @Test func aPolicyCanLetLegalWaiveItsCheckpointOnHumanArticles() async throws {
        try await Newsroom.with { room in
            var policy = WorkflowPolicy.default
            policy.rules[2] = .init(checkpoint: "legal_review", sections: ["politics"], roles: [.legal], waivableBy: [.legal], waivableFor: [.human])
            _ = try await room.services.policy.replace(with: policy, by: room.admin)
            let human = try await room.draft(section: "politics").article.id
            let byEditor = try await #require(throws: GalleyError.self) {
                try await room.services.review.record(
                    .init(checkpoint: "legal_review", verdict: .waived, revision: 1, note: "Opinion"), on: human, by: room.editor)
            }
            guard case .forbidden(_, let reason) = byEditor else {
                Issue.record("expected forbidden, got \(String(describing: byEditor))")
                return
            }
            #expect(reason.contains("may be waived only by legal"))
            let waived = try await room.services.review.record(
                .init(checkpoint: "legal_review", verdict: .waived, revision: 1, note: "Opinion piece, no legal exposure"), on: human, by: room.legal)
            #expect(waived.verdict == .waived)
            let ai = try await room.aiDraft(section: "politics").article.id
            let onAI = try await #require(throws: GalleyError.self) {
                try await room.services.review.record(
                    .init(checkpoint: "legal_review", verdict: .waived, revision: 1, note: "Opinion"), on: ai, by: room.legal)
            }
            #expect(unmetRequirements(onAI) == ["waiver"])
        }
    }

    /// A waiver counts only while the policy in force allows it: one recorded under a looser
    /// policy (or before waivers were policy) stops counting when the policy is tightened.
    @Test func aWaiverThePolicyNoLongerAllowsDoesNotCountAtApproval() async throws {
        try await Newsroom.with { room in
            var loose = WorkflowPolicy.default
            loose.rules = loose.rules.map { rule in
                var rule = rule
                rule.waivableFor = [.ai, .human]
                return rule
            }
            _ = try await room.services.policy.replace(with: loose, by: room.admin)
            let id = try await room.aiDraft(section: "world").article.id
            _ = try await room.act(.submit, id, by: room.ai)
            _ = try await room.services.review.record(
                .init(checkpoint: "fact_check", verdict: .waived, revision: 1, note: "Trusted wire copy"), on: id, by: room.editor)
            _ = try await room.services.review.record(.init(checkpoint: "source_check", verdict: .passed, revision: 1), on: id, by: room.factChecker)
            _ = try await room.services.policy.replace(with: .default, by: room.admin)
            let error = try await #require(throws: GalleyError.self) { try await room.act(.approve, id, by: room.otherEditor) }
            #expect(unmetRequirements(error) == ["fact_check"])
            let (_, statuses) = try await room.services.review.checkpoints(id, by: room.otherEditor)
            #expect(statuses.first { $0.checkpoint == "fact_check" }?.status == .pending)
        }
    }

    @Test func policiesStoredBeforeWaiversReadWithTheSafeDefaults() throws {
        let stored =
            #"[{"checkpoint": "source_check", "roles": ["editor"]}, {"checkpoint": "x", "roles": ["legal"], "waivable_by": [], "waivable_for": ["human"]}]"#
        let rules = try JSONDecoder().decode([WorkflowPolicy.Rule].self, from: Data(stored.utf8))
        #expect(rules[0].waivableBy == [.editor] && rules[0].waivableFor == [.human])
        #expect(rules[1].waivableBy.isEmpty)
        let required = WorkflowPolicy(rules: rules).requiredCheckpoints(section: "world", origin: .ai)
        #expect(!required[0].allowsWaiver(on: .ai, by: [.editor]))
    }

    @Test func theMigrationWritesTheDefaultsIntoStoredPolicies() async throws {
        try await TestDatabase.withEmptyDatabase { connectionString in
            let pool = PostgresPool(configuration: .init(connectionString: connectionString, maxConnections: 1))
            let all = try TestDatabase.migrations()
            try await Migrator(pool: pool, migrations: all.filter { $0.version < 12 }).migrate()
            _ = try await pool.query(
                """
                INSERT INTO workflow_policies (version, rules, created_by)
                VALUES (2, '[{"checkpoint": "legal_review", "roles": ["legal"], "waivable_by": ["legal"]}, {"checkpoint": "source_check", "roles": ["editor"]}]', 'test')
                """)
            try await Migrator(pool: pool, migrations: all).migrate()
            let rows = try await pool.query("SELECT rules::text AS rules FROM workflow_policies ORDER BY version")
            let policies = try rows.map {
                try JSONDecoder().decode([WorkflowPolicy.Rule].self, from: Data(try $0.decode("rules", as: String.self).utf8))
            }
            #expect(policies[0].allSatisfy { $0.waivableBy == [.editor] && $0.waivableFor == [.human] })
            #expect(policies[1].map(\.waivableBy) == [[.legal], [.editor]])
            #expect(try rows.allSatisfy { try $0.decode("rules", as: String.self).contains("waivable_for") })
            await pool.close()
        }
    }
}
