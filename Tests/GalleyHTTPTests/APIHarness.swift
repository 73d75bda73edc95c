import Foundation
import Galley
import GalleyCore
import GalleyHTTP
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestSupport

/// A migrated database, one actor and token per role, and the app in router mode. Its pool
/// is logged in as the app's role, as `galley serve`'s is, so a missing grant fails the test.
struct APIHarness {
    let services: GalleyServices
    let pool: PostgresPool
    /// Logged in as the owner, for a test that changes the schema (a trigger that fails on cue).
    let ownerPool: PostgresPool
    let client: any TestClientProtocol
    let tokens: [String: String]

    static let roles: [(name: String, kind: ActorKind, role: Role)] = [
        ("wendy", .person, .writer), ("eddie", .person, .editor), ("erin", .person, .editor),
        ("fiona", .person, .factChecker), ("lou", .person, .legal), ("drafter", .service, .aiAgent),
        ("publish-bot", .service, .publisher), ("ada", .person, .admin),
    ]

    static func with(
        webhookPolicy: WebhookAddressPolicy = WebhookAddressPolicy(), logger: Logger = TestRunLog.logger(), sealKey: SealKeyFile? = nil,
        now: @escaping @Sendable () -> Date = Date.init, content: ContentSettings = .init(), metrics: HTTPMetrics = HTTPMetrics(),
        tracing: Bool = false, _ body: @Sendable (APIHarness) async throws -> Void
    ) async throws {
        let observer: any PostgresObserver = tracing ? PostgresObservers([metrics.database, DatabaseSpans()]) : metrics.database
        try await TestDatabase.withMigratedDatabase(poolSize: 1) { ownerPool, connectionString in
            try await TestDatabase.withAppPool(connectionString, size: 8, observer: observer) { pool in
                let services = GalleyServices(
                    environment: GalleyEnvironment(pool: pool, now: now, webhookPolicy: webhookPolicy, sealKey: sealKey))
                let operatorCaller = Caller(principal: .operator(osUser: "test"))
                var tokens: [String: String] = [:]
                for (name, kind, role) in roles {
                    _ = try await services.actors.add(.init(name: name, kind: kind, roles: [role]), by: operatorCaller)
                    tokens[name] = try await services.actors.issueToken(
                        for: .name(name), lifetime: kind == .service ? .never : .standard, by: operatorCaller
                    ).token
                    TestRunLog.secret(tokens[name])
                }
                let router = buildRouter(services: services, pool: pool, metrics: metrics, tracing: tracing, content: content)
                let app = Application(router: router, logger: logger)
                let frozen = tokens
                try await app.test(.router) { client in
                    try await body(APIHarness(services: services, pool: pool, ownerPool: ownerPool, client: client, tokens: frozen))
                }
            }
        }
    }

    /// Another server on the same database, with its own services and caches, as a second
    /// `galley serve` would have; it knows the same tokens.
    func secondServer(_ body: @Sendable (APIHarness) async throws -> Void) async throws {
        let services = GalleyServices(environment: GalleyEnvironment(pool: pool))
        let app = Application(router: buildRouter(services: services, pool: pool, metrics: HTTPMetrics()), logger: TestRunLog.logger())
        try await app.test(.router) { client in
            try await body(APIHarness(services: services, pool: pool, ownerPool: ownerPool, client: client, tokens: tokens))
        }
    }

    /// This harness, also knowing `tokens` (name → token) of actors made in a test.
    func knowing(_ more: [String: String]) -> APIHarness {
        for token in more.values { TestRunLog.secret(token) }
        return APIHarness(services: services, pool: pool, ownerPool: ownerPool, client: client, tokens: tokens.merging(more) { $1 })
    }

    /// The ids of the actors, by name.
    func actorIDs() async throws -> [String: String] {
        let reply = try await call(.get, "/v1/actors", as: "ada")
        guard case .array(let items) = reply.json["items"] else { throw HarnessError("no actors: \(reply.text)") }
        var ids: [String: String] = [:]
        for item in items { if let name = item["name"]?.stringValue, let id = item["id"]?.stringValue { ids[name] = id } }
        return ids
    }

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: Data
        var json: [String: JSONValue] {
            (try? WireTestJSON.decode([String: JSONValue].self, body)) ?? [:]
        }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ path: String, as actor: String? = "eddie", json: JSONValue? = nil, raw: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let actor, let token = tokens[actor] { headers[.authorization] = "Bearer \(token)" }
        TestRunLog.secret(extra[.authorization].map { String($0.dropFirst("Bearer ".count)) })
        var body: ByteBuffer?
        if let json {
            TestRunLog.secret(json["password"]?.stringValue)
            body = ByteBuffer(bytes: try JSONEncoder().encode(json))
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        } else if let raw {
            body = ByteBuffer(string: raw)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        }
        let reply = try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, body: Data(buffer: response.body))
        }
        // Issued tokens and webhook secrets are answered once, in these members.
        if TestRunLog.isKept { for member in ["token", "secret"] { TestRunLog.secret(reply.json[member]?.stringValue) } }
        return reply
    }

    static let articleBody: JSONValue = [
        "title": "Venezuela releases political prisoners", "dek": "What it means", "section": "world", "tags": ["venezuela"],
        "body": "Caracas — The government said 123 political prisoners were released.",
        "sources": [["url": "https://example.org/news/1", "outlet": "Example Wire", "title": "Prisoners freed"]],
    ]

    /// Creates an article as the writer and returns its id.
    func createArticle(section: String = "world", title: String? = nil) async throws -> String {
        var body = Self.articleBody
        if case .object(var object) = body {
            object["section"] = .string(section)
            if let title { object["title"] = .string(title) }
            body = .object(object)
        }
        let reply = try await call(.post, "/v1/articles", as: "wendy", json: body)
        guard reply.status == .created, let id = reply.json["id"]?.stringValue else {
            throw HarnessError("create failed: \(reply.status) \(reply.text)")
        }
        return id
    }

    /// A human article in `world` taken from draft to published: its id and slug.
    func publishArticle(title: String? = nil) async throws -> (id: String, slug: String) {
        let id = try await createArticle(title: title)
        return (id, try await publish(id))
    }

    /// A draft of revision 1 taken through review to published: its slug.
    func publish(_ id: String) async throws -> String {
        try expectSuccess(await transition(id, "submit", as: "wendy"))
        try expectSuccess(
            await call(
                .post, "/v1/articles/\(id)/checkpoints", as: "fiona",
                json: ["checkpoint": "source_check", "verdict": "passed", "revision": 1, "note": "ok"]))
        try expectSuccess(await transition(id, "approve", as: "eddie"))
        let published = try await transition(id, "publish", as: "eddie")
        try expectSuccess(published)
        guard let slug = published.json["slug"]?.stringValue else { throw HarnessError("no slug: \(published.text)") }
        return slug
    }

    func expectSuccess(_ reply: Reply) throws {
        guard (200..<300).contains(reply.status.code) else { throw HarnessError("\(reply.status) \(reply.text)") }
    }

    func transition(_ id: String, _ action: String, as actor: String, extra: [String: JSONValue] = [:]) async throws -> Reply {
        var body: [String: JSONValue] = ["action": .string(action)]
        body.merge(extra) { $1 }
        return try await call(.post, "/v1/articles/\(id)/transitions", as: actor, json: .object(body))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum WireTestJSON {
    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}
