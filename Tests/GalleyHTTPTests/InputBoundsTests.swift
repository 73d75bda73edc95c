import Foundation
import GalleyCore
import HTTPTypes
import Testing

/// Every date and number a client sends is range-checked at the edge: out of range is a 422
/// that names the field, never a trapped process or a 500 from the database.
@Suite struct InputBoundsTests {
    static func expectRefused(
        _ reply: APIHarness.Reply, field: String, _ status: HTTPResponse.Status = .unprocessableContent,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        if status == .unprocessableContent {
            #expect(reply.text.contains("\"field\":\"\(field)\""), "\(reply.text)", sourceLocation: sourceLocation)
        }
    }

    static func article(sources: JSONValue) -> JSONValue {
        guard case .object(var object) = APIHarness.articleBody else { return APIHarness.articleBody }
        object["sources"] = sources
        return .object(object)
    }

    /// Before: the year 9999999 trapped the timestamp conversion and the server died.
    @Test func datesBeyondTheYear9999AreRefusedNamingTheParameter() async throws {
        try await APIHarness.with { api in
            for (path, field) in [
                ("/v1/articles?updated_since=9999999-01-01T00:00:00Z", "updated_since"),
                ("/v1/articles?updated_since=10000-01-01T00:00:00Z", "updated_since"),
                ("/v1/articles?updated_since=0000-01-01T00:00:00Z", "updated_since"),
                ("/v1/audit-events?since=9999999-01-01T00:00:00Z", "since"),
                ("/v1/audit-events?until=9999999-01-01T00:00:00Z", "until"),
                ("/v1/audit-events/export?format=jsonl&since=9999999-01-01T00:00:00Z", "since"),
            ] {
                for actor in ["ada", "wendy"] {
                    Self.expectRefused(try await api.call(.get, path, as: actor), field: field)
                }
            }
            let inRange = try await api.call(.get, "/v1/articles?updated_since=9999-12-31T23:59:59Z")
            #expect(inRange.status == .ok, "\(inRange.text)")
        }
    }

    @Test func datesBeyondTheYear9999InBodiesAreRefusedNamingTheField() async throws {
        try await APIHarness.with { api in
            let article = Self.article(sources: [
                ["url": "https://example.org/1", "outlet": "Wire", "title": "T", "retrieved_at": "9999999-01-01T00:00:00Z"]
            ])
            Self.expectRefused(try await api.call(.post, "/v1/articles", as: "wendy", json: article), field: "sources[0].retrieved_at")

            let id = try await api.createArticle()
            let scheduled = try await api.transition(id, "schedule", as: "eddie", extra: ["publish_at": "9999999-01-01T00:00:00Z"])
            Self.expectRefused(scheduled, field: "publish_at")

            let actors = try await api.call(.get, "/v1/actors", as: "ada")
            guard case .array(let items)? = actors.json["items"],
                let actorID = items.first(where: { $0["name"] == "ada" })?["id"]?.stringValue
            else {
                Issue.record("no actor ada: \(actors.text)")
                return
            }
            let token = try await api.call(.post, "/v1/actors/\(actorID)/tokens", as: "ada", json: ["expires_at": "9999999-01-01T00:00:00Z"])
            Self.expectRefused(token, field: "expires_at")
        }
    }

    /// A cursor is opaque, but a client can forge one; its time is read as strictly as a sent one.
    @Test func forgedCursorsWithImpossibleTimesAreRefused() async throws {
        try await APIHarness.with { api in
            let forged = Data("9999999-01-01T00:00:00.000000Z|3f1c2b7e-0000-4000-8000-000000000000".utf8).base64EncodedString()
            let escaped = forged.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            for path in ["/v1/articles?cursor=\(escaped)", "/v1/generations?cursor=\(escaped)"] {
                Self.expectRefused(try await api.call(.get, path, as: "ada"), field: "cursor")
            }
        }
    }

    @Test func numbersOutOfRangeAreRefusedNotTrapped() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle()
            for limit in ["99999999999999999999", "-1", "0", "1e3", "9223372036854775808"] {
                Self.expectRefused(try await api.call(.get, "/v1/articles?limit=\(limit)"), field: "limit")
            }
            for against in ["99999999999999999999", "-1", "0", "2147483648"] {
                Self.expectRefused(try await api.call(.get, "/v1/articles/\(id)/revisions/1/diff?against=\(against)"), field: "against")
            }
            for number in ["-1", "0", "99999999999999999999", "2147483648"] {
                #expect(try await api.call(.get, "/v1/articles/\(id)/revisions/\(number)").status == .notFound)
            }
            for revision in ["99999999999999999999", "1e308", "-0.5", "9223372036854775807"] {
                let verdict = try await api.call(
                    .post, "/v1/articles/\(id)/checkpoints", as: "fiona",
                    raw: #"{"checkpoint": "source_check", "verdict": "passed", "revision": \#(revision)}"#)
                #expect([.unprocessableContent, .conflict].contains(verdict.status), "\(revision): \(verdict.text)")
                if verdict.status == .unprocessableContent { #expect(verdict.text.contains(#""field":"revision""#)) }
                let claim = try await api.call(
                    .post, "/v1/articles/\(id)/claims", as: "fiona", raw: #"{"text": "A claim", "revision": \#(revision)}"#)
                #expect([.unprocessableContent, .conflict].contains(claim.status), "\(revision): \(claim.text)")
            }
            let generation = try await api.call(
                .post, "/v1/generations", as: "drafter",
                raw:
                    #"{"brief": {"section": "world"}, "model": "m", "model_version": "1", "prompt_version": "1", "max_attempts": 9223372036854775807}"#
            )
            Self.expectRefused(generation, field: "max_attempts")
        }
    }

    /// Before: the API accepted `HTTPS://…`, the database's CHECK (`^https?://`) refused it: a 500.
    @Test func upperCaseSchemesAreRefusedBeforeTheDatabaseSeesThem() async throws {
        try await APIHarness.with(webhookPolicy: try WebhookAddressPolicy(allowList: "127.0.0.1")) { api in
            let article = Self.article(sources: [["url": "HTTPS://example.org/1", "outlet": "Wire", "title": "T"]])
            Self.expectRefused(try await api.call(.post, "/v1/articles", as: "wendy", json: article), field: "sources[0].url")
            Self.expectRefused(try await api.call(.post, "/v1/webhooks", as: "ada", json: ["url": "HTTP://127.0.0.1:9/hook"]), field: "url")
        }
    }
}
