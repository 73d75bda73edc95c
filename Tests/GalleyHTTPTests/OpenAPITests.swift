import Foundation
import Galley
import GalleyHTTP
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import Testing

/// The committed contract, `Sources/GalleyHTTP/openapi.yaml`, against the router.
@Suite struct OpenAPITests {
    /// A pool that is never used: building the router does not connect.
    static func idlePool() -> PostgresPool {
        PostgresPool(configuration: .init(connectionString: "host=127.0.0.1 port=1 connect_timeout=1", maxConnections: 1))
    }

    static func document() throws -> OpenAPIOutline {
        OpenAPIOutline(yaml: String(decoding: try OpenAPIDocument.bytes(), as: UTF8.self))
    }

    @Test func everyRouteIsDocumentedAndEveryOperationIsRouted() async throws {
        let pool = Self.idlePool()
        let router = buildRouter(services: GalleyServices(pool: pool), pool: pool, metrics: HTTPMetrics())
        // The desk's pages are for browsers, not part of the API's contract.
        let routed = Set(
            router.routes.map { OpenAPIOutline.Operation(method: $0.method.rawValue, path: $0.path.description) }
                .filter { !$0.path.hasPrefix("/desk") })
        let documented = try Self.document().operations
        #expect(routed.count >= 30, "the router lists \(routed.count) routes")
        #expect(routed.subtracting(documented).sorted() == [], "routed but not in openapi.yaml")
        #expect(documented.subtracting(routed).sorted() == [], "in openapi.yaml but not routed")
        await pool.close()
    }

    @Test func onlyTheServiceEndpointsAreUnauthenticated() throws {
        let open = try Self.document().unauthenticated
        // Besides the service endpoints, the seals and their keys are public (anyone may check the
        // audit log with them), and so is the published side: articles, their review records and the feeds.
        #expect(
            Set(open.map(\.description)) == [
                "GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.yaml", "GET /.well-known/galley-seal-key",
                "GET /content/v1/seals/latest", "GET /content/v1/seals/{id}", "GET /content/v1/articles",
                "GET /content/v1/articles/{slug}", "GET /content/v1/articles/{slug}.jsonld", "GET /articles/{slug}/checked",
                "GET /content/v1/feed.atom", "GET /content/v1/sitemap-news.xml",
            ])
    }

    @Test func outlineReadsPathsAndMethodsOnly() {
        let outline = OpenAPIOutline(
            yaml: """
                openapi: 3.1.0
                paths:
                  /a:
                    get:
                      security: []
                      responses: {}
                    parameters:
                      - name: x
                  "/b/{id}":
                    post:
                      summary: "get: not a method"
                    delete:
                components:
                  schemas:
                    get: {}
                """)
        #expect(outline.operations.map(\.description).sorted() == ["DELETE /b/{id}", "GET /a", "POST /b/{id}"])
        #expect(outline.unauthenticated.map(\.description) == ["GET /a"])
    }

    @Test func theDocumentIsServedAsIs() async throws {
        let pool = Self.idlePool()
        let app = buildApplication(
            configuration: try .init(environment: [:]), pool: pool, logger: TestRunLog.logger(), backgroundWork: false)
        let expected = try OpenAPIDocument.bytes()
        #expect(String(decoding: expected, as: UTF8.self).hasPrefix("openapi: 3.1.0\n"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml")
                #expect(response.headers.contains { $0.name.canonicalName == "x-request-id" })
                #expect(Data(buffer: response.body) == expected)
            }
        }
        await pool.close()
    }
}
