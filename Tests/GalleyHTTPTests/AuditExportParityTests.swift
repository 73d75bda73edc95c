import Foundation
import Galley
import GalleyCore
import GalleyHTTP
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestSupport
import Testing

/// `GET /v1/audit-events/export` and `galley audit export` write one format (docs/audit.md):
/// on the same database with the same filters, the same bytes.
@Suite struct AuditExportParityTests {
    @Test func apiAndCLIExportTheSameBytes() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 1) { _, connectionString in
            try await TestDatabase.withAppPool(connectionString, size: 4) { pool in
                let services = GalleyServices(environment: GalleyEnvironment(pool: pool, webhookPolicy: WebhookAddressPolicy()))
                let operatorCaller = Caller(principal: .operator(osUser: "test"))
                var tokens: [String: String] = [:]
                for (name, kind, role) in APIHarness.roles {
                    _ = try await services.actors.add(.init(name: name, kind: kind, roles: [role]), by: operatorCaller)
                    tokens[name] = try await services.actors.issueToken(
                        for: .name(name), lifetime: kind == .service ? .never : .standard, by: operatorCaller
                    ).token
                }
                // Cells that need every rule: a comma, quotes, a line break, a formula start, non-ASCII.
                let writer = Caller(principal: try #require(try await services.actors.find(name: "wendy")).principal)
                let editor = Caller(principal: try #require(try await services.actors.find(name: "eddie")).principal)
                let content = try ArticleContent(
                    title: "Ferries, \"late\" ✓", dek: "", body: "Body", sources: [])
                let article = try await services.articles.create(.init(content: content, section: "local"), by: writer).article.id
                _ = try await services.transitions.perform(.init(.submit), on: article, by: writer)
                _ = try await services.transitions.perform(
                    .init(.requestChanges, reason: "=SUM(A1), \"quoted\"\nsecond line — ✓"), on: article, by: editor)
                let other = try await services.articles.create(.init(content: content, section: "world"), by: writer).article.id
                _ = try await services.transitions.perform(.init(.submit), on: other, by: writer)

                let router = buildRouter(services: services, pool: pool, metrics: HTTPMetrics())
                let app = Application(router: router, logger: TestRunLog.logger())
                let filters: [(query: String, arguments: [String])] = [
                    ("", []),
                    ("&article_id=\(article.lowercasedString)", ["--article", article.lowercasedString]),
                    (
                        "&actor=wendy&action=article.submit&since=2000-01-01T00:00:00Z",
                        ["--actor", "wendy", "--action", "article.submit", "--since", "2000-01-01T00:00:00Z"]
                    ),
                ]
                let frozen = tokens
                try await app.test(.router) { client in
                    for format in ["csv", "jsonl"] {
                        for filter in filters {
                            let api = try await client.execute(
                                uri: "/v1/audit-events/export?format=\(format)\(filter.query)", method: .get,
                                headers: [.authorization: "Bearer \(try #require(frozen["eddie"]))"]
                            ) { response in
                                #expect(response.status == .ok)
                                return Data(buffer: response.body)
                            }
                            let cli = try await GalleyBinary.run(
                                ["audit", "export", "--format", format, "--as", "eddie"] + filter.arguments,
                                environment: ["DATABASE_URL": TestDatabase.asApp(connectionString), "GALLEY_ACTOR": ""])
                            #expect(cli.status == 0, "\(cli.stderr)")
                            #expect(api.count > 0)
                            #expect(
                                Data(cli.stdout.utf8) == api,
                                "\(format)\(filter.query):\nAPI:\n\(String(decoding: api, as: UTF8.self))\nCLI:\n\(cli.stdout)")
                        }
                    }
                }
            }
        }
    }
}
