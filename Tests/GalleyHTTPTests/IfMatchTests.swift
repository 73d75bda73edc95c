import Foundation
import GalleyCore
import HTTPTypes
import Testing

/// `If-Match` as RFC 9110 has it, on every write to an article.
@Suite struct IfMatchTests {
    func etag(_ api: APIHarness, _ id: String) async throws -> String {
        try #require(try await api.call(.get, "/v1/articles/\(id)").headers[.eTag])
    }

    /// Before: a foreign or weak tag was a 422, and `*` was refused.
    @Test func wellFormedTagsThatDoNotMatchAre412AndStarMatchesAnyArticle() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let current = try await etag(api, id)
            for header in ["\"abc\"", "W/\(current)", "\"1\"x", "\"\"", "\"999\", \"998\"", "\"0123\""] {
                let reply = try await api.call(
                    .post, "/v1/articles/\(id)/transitions", as: "wendy", json: ["action": "submit"], headers: [.ifMatch: header])
                if header == "\"1\"x" {
                    #expect(reply.status == .unprocessableContent, "\(header): \(reply.text)")
                } else {
                    #expect(reply.status == .preconditionFailed, "\(header): \(reply.text)")
                }
            }
            let listed = try await api.call(
                .post, "/v1/articles/\(id)/revisions", as: "wendy", json: ["title": "T2", "body": "Changed"],
                headers: [.ifMatch: "\"999\", \(current)"])
            #expect(listed.status == .created, "\(listed.text)")
            let star = try await api.call(.post, "/v1/articles/\(id)/transitions", as: "wendy", json: ["action": "submit"], headers: [.ifMatch: "*"])
            #expect(star.status == .ok, "\(star.text)")
            let missing = try await api.call(
                .post, "/v1/articles/3f1c2b7e-0000-4000-8000-000000000000/transitions", as: "wendy", json: ["action": "submit"],
                headers: [.ifMatch: "*"])
            #expect(missing.status == .notFound)
        }
    }

    /// Before: checkpoints and claims ignored If-Match and wrote over a stale read.
    @Test func checkpointsAndClaimsHonourIfMatch() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            let stale: HTTPFields = [.ifMatch: "\"999\""]
            let verdict: JSONValue = ["checkpoint": "source_check", "verdict": "passed", "revision": 1]
            #expect(
                try await api.call(.post, "/v1/articles/\(id)/checkpoints", as: "fiona", json: verdict, headers: stale).status == .preconditionFailed)
            let claim: JSONValue = ["text": "123 prisoners were released", "revision": 1]
            #expect(try await api.call(.post, "/v1/articles/\(id)/claims", as: "fiona", json: claim, headers: stale).status == .preconditionFailed)

            let added = try await api.call(.post, "/v1/articles/\(id)/claims", as: "fiona", json: claim, headers: [.ifMatch: try await etag(api, id)])
            #expect(added.status == .created, "\(added.text)")
            let claimID = try #require(added.json["id"]?.stringValue)
            let patch: JSONValue = ["status": "verified"]
            #expect(
                try await api.call(.patch, "/v1/articles/\(id)/claims/\(claimID)", as: "fiona", json: patch, headers: stale).status
                    == .preconditionFailed)
            let patched = try await api.call(
                .patch, "/v1/articles/\(id)/claims/\(claimID)", as: "fiona", json: patch, headers: [.ifMatch: try await etag(api, id)])
            #expect(patched.status == .ok, "\(patched.text)")
            let recorded = try await api.call(
                .post, "/v1/articles/\(id)/checkpoints", as: "fiona", json: verdict, headers: [.ifMatch: try await etag(api, id)])
            #expect(recorded.status == .created, "\(recorded.text)")
        }
    }

    /// A body no revision could match is refused for what it is (422), stale If-Match or not.
    /// Before: a verdict or claim on revision 0 under a stale If-Match was a 412, and on the
    /// current version a 409 (schemathesis's negative-data check).
    @Test func aRevisionNumberNoRevisionCouldHaveIsRefusedBeforeTheVersion() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            for stale in [true, false] {
                let headers: HTTPFields = stale ? [.ifMatch: "\"999\""] : [:]
                for revision in [0, 2_147_483_648] {
                    let verdict: JSONValue = ["checkpoint": "source_check", "verdict": "passed", "revision": .number(Double(revision))]
                    let recorded = try await api.call(.post, "/v1/articles/\(id)/checkpoints", as: "fiona", json: verdict, headers: headers)
                    #expect(recorded.status == .unprocessableContent, "\(revision): \(recorded.text)")
                    let claim: JSONValue = ["text": "123 prisoners were released", "revision": .number(Double(revision))]
                    let added = try await api.call(.post, "/v1/articles/\(id)/claims", as: "fiona", json: claim, headers: headers)
                    #expect(added.status == .unprocessableContent, "\(revision): \(added.text)")
                }
            }
        }
    }
}
