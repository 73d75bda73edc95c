import Foundation
import GalleyCore
import HTTPTypes
import Testing

/// The waiver rules and the scheduling of corrections, as API clients meet them.
@Suite struct WaiverAndScheduleAPITests {
    private func unmet(_ reply: APIHarness.Reply) -> [String]? {
        guard case .array(let items) = reply.json["unmet"] else { return nil }
        return items.compactMap { $0["requirement"]?.stringValue }
    }

    private func firstRule(_ reply: APIHarness.Reply) -> JSONValue? {
        guard case .array(let rules) = reply.json["rules"] else { return nil }
        return rules.first
    }

    private func verdict(_ api: APIHarness, _ id: String, _ checkpoint: String, _ verdict: String, as actor: String, revision: Int = 1) async throws
        -> APIHarness.Reply
    {
        try await api.call(
            .post, "/v1/articles/\(id)/checkpoints", as: actor,
            json: [
                "checkpoint": .string(checkpoint), "verdict": .string(verdict), "revision": .number(Double(revision)),
                "note": "Checked against the wire",
            ])
    }

    @Test func thePolicyStatesWhoMayWaiveAndABodyWithoutThatGetsTheSafeDefaults() async throws {
        try await APIHarness.with { api in
            let current = try await api.call(.get, "/v1/workflow-policy", as: "ada")
            guard case .array(let rules) = current.json["rules"] else {
                Issue.record("no rules: \(current.text)")
                return
            }
            #expect(rules.allSatisfy { $0["waivable_by"] == ["editor"] && $0["waivable_for"] == ["human"] })
            let old = try await api.call(
                .put, "/v1/workflow-policy", as: "ada", json: ["rules": [["checkpoint": "source_check", "roles": ["fact_checker"]]]])
            #expect(old.status == .ok, "\(old.text)")
            #expect(firstRule(old)?["waivable_by"] == ["editor"])
            #expect(firstRule(old)?["waivable_for"] == ["human"])
            let services = try await api.call(
                .put, "/v1/workflow-policy", as: "ada",
                json: ["rules": [["checkpoint": "source_check", "roles": ["fact_checker"], "waivable_by": ["publisher"], "waivable_for": ["robot"]]]])
            #expect(services.status == .unprocessableContent)
            #expect(services.text.contains("rules[0].waivable_for"))
            let never = try await api.call(
                .put, "/v1/workflow-policy", as: "ada",
                json: ["rules": [["checkpoint": "source_check", "roles": ["fact_checker"], "waivable_by": [], "waivable_for": ["human"]]]])
            #expect(firstRule(never)?["waivable_by"] == [])
            let id = try await api.createArticle()
            let refused = try await verdict(api, id, "source_check", "waived", as: "eddie")
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("may be waived only by nobody"))
        }
    }

    @Test func aPolicyThatLetsLegalWaiveOnHumanArticlesWorks() async throws {
        try await APIHarness.with { api in
            let put = try await api.call(
                .put, "/v1/workflow-policy", as: "ada",
                json: [
                    "rules": [
                        ["checkpoint": "source_check", "roles": ["fact_checker", "editor"]],
                        [
                            "checkpoint": "legal_review", "sections": ["politics"], "roles": ["legal"], "waivable_by": ["legal"],
                            "waivable_for": ["human"],
                        ],
                    ]
                ])
            #expect(put.status == .ok, "\(put.text)")
            let id = try await api.createArticle(section: "politics")
            let waived = try await api.call(
                .post, "/v1/articles/\(id)/checkpoints", as: "lou",
                json: ["checkpoint": "legal_review", "verdict": "waived", "revision": 1, "note": "Opinion piece, no legal exposure"])
            #expect(waived.status == .created, "\(waived.text)")
            #expect(waived.json["verdict"] == "waived")
            let byEditor = try await api.call(
                .post, "/v1/articles/\(id)/checkpoints", as: "eddie",
                json: ["checkpoint": "legal_review", "verdict": "waived", "revision": 1, "note": "No exposure"])
            #expect(byEditor.status == .forbidden)
            #expect(byEditor.text.contains("may be waived only by legal"))
        }
    }

    @Test func anEditorWaivingTheChecksOfAnAIDraftIsRefusedWithWhatWouldFixIt() async throws {
        try await APIHarness.with { api in
            let generation = try await api.call(
                .post, "/v1/generations", as: "drafter",
                json: ["brief": ["section": "politics"], "model": "gpt-x", "model_version": "1", "prompt_version": "p1"])
            let generationID = try #require(generation.json["id"]?.stringValue)
            _ = try await api.call(.patch, "/v1/generations/\(generationID)", as: "drafter", json: ["status": "running"])
            let done = try await api.call(
                .patch, "/v1/generations/\(generationID)", as: "drafter",
                json: [
                    "status": "succeeded",
                    "output": [
                        "title": "Turnout", "dek": "", "body": "Turnout reached 61 percent.",
                        "sources": [["url": "https://example.org/a", "outlet": "Wire", "title": "A"]],
                    ],
                ])
            let id = try #require(done.json["article_id"]?.stringValue, "\(done.text)")
            #expect(try await api.transition(id, "submit", as: "drafter").status == .ok)
            for checkpoint in ["fact_check", "legal_review"] {
                let refused = try await verdict(api, id, checkpoint, "waived", as: "eddie")
                #expect(refused.status == .conflict)
                #expect(unmet(refused) == ["waiver"])
                #expect(refused.text.contains("does not let \(checkpoint) be waived on ai-origin articles"))
            }
            let approve = try await api.transition(id, "approve", as: "erin")
            #expect(unmet(approve) == ["source_check", "fact_check", "legal_review"])
        }
    }

    @Test func schedulingAChangedLiveArticleWithoutACorrectionNoteIsAConflictNamingIt() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            func review(revision: Int) async throws {
                #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
                #expect(try await verdict(api, id, "source_check", "passed", as: "fiona", revision: revision).status == .created)
                #expect(try await api.transition(id, "approve", as: "eddie").status == .ok)
            }
            try await review(revision: 1)
            #expect(try await api.transition(id, "publish", as: "publish-bot").status == .ok)
            let edited = try await api.call(
                .post, "/v1/articles/\(id)/revisions", as: "wendy",
                json: [
                    "title": "Venezuela releases 124 political prisoners", "dek": "What it means",
                    "body": "Caracas — The government said 124 political prisoners were released.",
                    "sources": [["url": "https://example.org/news/1", "outlet": "Example Wire", "title": "Prisoners freed"]],
                ])
            #expect(edited.status == .created, "\(edited.text)")
            try await review(revision: 2)
            let at: JSONValue = .string(ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600)))
            let refused = try await api.transition(id, "schedule", as: "publish-bot", extra: ["publish_at": at])
            #expect(refused.status == .conflict)
            #expect(unmet(refused) == ["correction_note"])
            let scheduled = try await api.transition(
                id, "schedule", as: "publish-bot", extra: ["publish_at": at, "correction_note": "An earlier version said 123."])
            #expect(scheduled.status == .ok, "\(scheduled.text)")
            #expect(scheduled.json["state"] == "scheduled")
        }
    }
}
