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

@Suite struct HealthTests {
    @Test func readyWhileTheDatabaseAnswers() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let app = buildApplication(configuration: try .init(environment: [:]), pool: pool, logger: Logger(label: "test"))
            try await app.test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test func metricsCountRequestsByRouteAndStatusWithTheirDurations() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let app = buildApplication(configuration: try .init(environment: [:]), pool: pool, logger: Logger(label: "test"))
            try await app.test(.router) { client in
                for _ in 0..<3 { try await client.execute(uri: "/healthz", method: .get) { _ in } }
                try await client.execute(uri: "/readyz", method: .get) { _ in }
                for invented in ["BREW", "WHEN", "FLY"] {
                    try await client.execute(uri: "/healthz", method: HTTPRequest.Method(invented)!) { _ in }
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    let lines = String(buffer: response.body).split(separator: "\n")
                    func sample(_ prefix: String, _ labels: [String]) -> String? {
                        lines.first { $0.hasPrefix(prefix + "{") && labels.allSatisfy($0.contains) }.flatMap { $0.split(separator: " ").last.map(String.init) }
                    }
                    #expect(sample("galley_http_requests_total", [#"route="/healthz""#, #"status="200""#, #"method="GET""#]) == "3")
                    #expect(sample("galley_http_requests_total", [#"route="/readyz""#, #"status="200""#]) == "1")
                    #expect(sample("galley_http_request_duration_seconds_count", [#"route="/healthz""#, #"method="GET""#]) == "3")
                    // Invented methods share one label instead of a series each.
                    #expect(!lines.contains { $0.contains("BREW") || $0.contains("FLY") })
                    #expect(sample("galley_http_requests_total", [#"method="OTHER""#]) == "3")
                }
            }
        }
    }

    @Test func notReadyAsProblemJSONWhenTheDatabaseIsGone() async throws {
        let pool = PostgresPool(configuration: .init(connectionString: "host=127.0.0.1 port=1 connect_timeout=2", maxConnections: 1))
        let app = buildApplication(configuration: try .init(environment: [:]), pool: pool, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                let body = try JSONDecoder().decode([String: GalleyCore.JSONValue].self, from: Data(buffer: response.body))
                #expect(body["status"] == .number(503))
                #expect(body["type"] == .string("https://galley.dev/problems/database-unavailable"))
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        await pool.close()
    }
}
