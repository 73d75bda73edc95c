import Foundation
import GalleyCore
import HTTPTypes
import Testing

@Suite struct EditorialPathTests {
    /// AI generation → draft → claims → checkpoints → approve → batch publish → history →
    /// provenance → audit verification, all over HTTP.
    @Test func theWholePath() async throws {
        try await APIHarness.with { api in
            let registered = try await api.call(
                .post, "/v1/generations", as: "drafter",
                json: [
                    "brief": ["section": "politics", "tags": ["venezuela"]], "model": "gpt-x", "model_version": "2026-10",
                    "prompt_version": "analysis-v3", "parameters": ["temperature": 0],
                    "sources": [["url": "https://example.org/a", "outlet": "Wire", "title": "A"]],
                ])
            #expect(registered.status == .created)
            #expect(registered.json["status"] == "queued")
            #expect(registered.json["attempt"] == 1)
            let generation = try #require(registered.json["id"]?.stringValue)
            #expect(try await api.call(.patch, "/v1/generations/\(generation)", as: "drafter", json: ["status": "running"]).status == .ok)
            let done = try await api.call(
                .patch, "/v1/generations/\(generation)", as: "drafter",
                json: [
                    "status": "succeeded", "usage": ["input_tokens": 1200, "output_tokens": 800],
                    "output": [
                        "title": "Venezuela frees 123 prisoners", "dek": "An analysis", "body": "Caracas — 123 political prisoners were released.",
                        "disclosure": "AI-generated; may contain errors.",
                        "sources": [["url": "https://example.org/a", "outlet": "Wire", "title": "A"]],
                    ],
                ])
            #expect(done.status == .ok, "\(done.text)")
            let id = try #require(done.json["article_id"]?.stringValue)
            #expect(done.json["revision"] == 1)

            let claim = try await api.call(
                .post, "/v1/articles/\(id)/claims", as: "fiona", json: ["text": "123 political prisoners were released", "revision": 1])
            #expect(claim.status == .created)
            #expect(claim.json["status"] == "unverified")
            let claimID = try #require(claim.json["id"]?.stringValue)
            let verified = try await api.call(
                .patch, "/v1/articles/\(id)/claims/\(claimID)", as: "fiona",
                json: ["status": "verified", "evidence": [["url": "https://example.org/ministry", "note": "statement"]]])
            #expect(verified.json["status"] == "verified")

            #expect(try await api.transition(id, "submit", as: "drafter").status == .ok)
            let early = try await api.transition(id, "approve", as: "eddie")
            #expect(early.status == .conflict)
            #expect(early.headers[.contentType] == "application/problem+json")
            let unmet = early.json["unmet"].flatMap { value -> [String]? in
                guard case .array(let items) = value else { return nil }
                return items.compactMap { $0["requirement"]?.stringValue }
            }
            #expect(unmet == ["source_check", "fact_check", "legal_review"])

            let checkpoints = try await api.call(.get, "/v1/articles/\(id)/checkpoints")
            #expect(checkpoints.json["revision"] == 1)
            for (checkpoint, actor) in [("source_check", "fiona"), ("fact_check", "fiona"), ("legal_review", "lou")] {
                let recorded = try await api.call(
                    .post, "/v1/articles/\(id)/checkpoints", as: actor,
                    json: [
                        "checkpoint": .string(checkpoint), "verdict": "passed", "revision": 1, "note": "checked",
                        "evidence": [["url": "https://example.org/evidence"]],
                    ])
                #expect(recorded.status == .created, "\(recorded.text)")
            }
            let approved = try await api.transition(id, "approve", as: "eddie")
            #expect(approved.status == .ok, "\(approved.text)")
            #expect(approved.json["state"] == "approved")

            let batch = try await api.call(.post, "/v1/publish-batches", as: "publish-bot", json: ["article_ids": [.string(id)], "atomic": true])
            #expect(batch.status == .ok, "\(batch.text)")
            let batchID = try #require(batch.json["id"]?.stringValue)
            #expect(try await api.call(.get, "/v1/publish-batches/\(batchID)", as: "publish-bot").status == .ok)
            let article = try await api.call(.get, "/v1/articles/\(id)")
            #expect(article.json["state"] == "published")
            #expect(article.json["live_revision"] == 1)
            #expect(article.json["responsible_editor"] == "eddie")
            #expect(article.json["current_revision"]?["digital_source_type"] == "trainedAlgorithmicMedia")

            let history = try await api.call(.get, "/v1/articles/\(id)/history")
            guard case .array(let events) = history.json["items"] else {
                Issue.record("no history")
                return
            }
            #expect(
                events.compactMap { $0["action"]?.stringValue } == [
                    "article.created", "generation.succeeded", "claim.added", "claim.updated", "article.submit", "verification.recorded",
                    "verification.recorded", "verification.recorded", "article.approve", "article.publish",
                ])

            let provenance = try await api.call(.get, "/v1/articles/\(id)/provenance")
            #expect(provenance.headers[.contentType] == "application/ld+json")
            #expect(provenance.json["digitalSourceType"] == "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")
            #expect(provenance.json["editor"]?["identifier"] == "eddie")
            guard case .array(let reviews) = provenance.json["review"], case .array(let claims) = provenance.json["claimReview"] else {
                Issue.record("provenance lacks reviews")
                return
            }
            #expect(reviews.count == 3)
            #expect(claims.first?["@type"] == "ClaimReview")

            let verification = try await api.call(.get, "/v1/audit/verification", as: "ada")
            #expect(verification.json["ok"] == true)
            #expect(verification.json["scope"] == "full")
            // The next answer builds on that full verification: nothing was written since.
            let again = try await api.call(.get, "/v1/audit/verification", as: "eddie")
            #expect(again.json["ok"] == true && again.json["scope"] == "incremental")
            #expect(again.json["events_checked"] == 0)
            #expect(again.json["full_verification"]?["id"] == verification.json["full_verification"]?["id"])
            #expect(again.json["full_verification"]?["events_checked"] == verification.json["events_checked"])
            #expect(again.json["since"] == verification.json["full_verification"]?["started_at"])
        }
    }
}
