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

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct HealthTests {
    @Test func readyWhileTheDatabaseAnswers() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let app = buildApplication(configuration: try .init(environment: [:]), pool: pool, logger: TestRunLog.logger())
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
            let app = buildApplication(configuration: try .init(environment: [:]), pool: pool, logger: TestRunLog.logger())
            try await app.test(.router) { client in
                for _ in 0..<3 { try await client.execute(uri: "/healthz", method: .get) { _ in } }
                try await client.execute(uri: "/readyz", method: .get) { _ in }
                for invented in ["BREW", "WHEN", "FLY"] {
                    try await client.execute(uri: "/healthz", method: HTTPRequest.Method(invented)!) { _ in }
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    let lines = String(buffer: response.body).split(separator: "\n")
                    func sample(_ prefix: String, _ labels: [String]) -> String? {
                        lines.first { $0.hasPrefix(prefix + "{") && labels.allSatisfy($0.contains) }.flatMap {
                            $0.split(separator: " ").last.map(String.init)
                        }
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
        let app = buildApplication(configuration: try .init(environment: [:]), pool: pool, logger: TestRunLog.logger())
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                let body = try JSONDecoder().decode([String: GalleyCore.JSONValue].self, from: Data(buffer: response.body))
                #expect(body["status"] == .number(503))
                #expect(body["type"] == .string("https://galley.dev/problems/database-unavailable"))
                // Before: the detail carried libpq's text, with the host and port, to anyone.
                #expect(!Self.leaksConnectionDetails(String(buffer: response.body)), "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/v1/articles", method: .get, headers: [.authorization: "Bearer glly_unknown"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(!Self.leaksConnectionDetails(String(buffer: response.body)), "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        await pool.close()
    }

    /// The tables that grow, by size (read from the catalog), and the last pruning run.
    @Test func metricsShowTableSizesAndTheLastPrune() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let app = buildApplication(configuration: try .init(environment: [:]), pool: pool, logger: TestRunLog.logger())
            try await app.test(.live) { client in
                var lines: [Substring] = []
                // The server prunes as it starts; its metrics show the run once it is done.
                for _ in 0..<50 {
                    lines = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }.split(separator: "\n")
                    if lines.contains(where: { $0.hasPrefix("galley_prune_last_run_timestamp_seconds ") }) { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                let sizes = lines.filter { $0.hasPrefix("galley_table_size_bytes{") }
                for table in ["audit_events", "event_stream", "webhook_deliveries", "webhook_attempts", "idempotency_keys"] {
                    let bytes = sizes.first { $0.contains("table=\"\(table)\"") }.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
                    #expect((bytes ?? 0) > 0, "no size for \(table) in \(sizes)")
                }
                let last = lines.first { $0.hasPrefix("galley_prune_last_run_timestamp_seconds ") }
                let time = last.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
                #expect(abs((time ?? 0) - Date().timeIntervalSince1970) < 60, "\(String(describing: last))")
                #expect(lines.contains { $0.hasPrefix("galley_prune_last_run_rows{") && $0.contains("table=\"event_stream\"") })
            }
        }
    }

    static func leaksConnectionDetails(_ text: String) -> Bool {
        ["127.0.0.1", "port 1", "connection", "Connection", "server"].contains { text.contains($0) }
    }

    /// Before: nothing closed a connection whose request stopped half-way, so slow clients
    /// could hold every connection.
    @Test func aClientThatSendsHalfARequestIsDisconnected() async throws {
        let pool = PostgresPool(configuration: .init(connectionString: "host=127.0.0.1 port=1 connect_timeout=2", maxConnections: 1))
        let configuration = try GalleyConfiguration(environment: ["GALLEY_HTTP_IDLE_TIMEOUT": "1"])
        let app = buildApplication(configuration: configuration, pool: pool, logger: TestRunLog.logger(), backgroundWork: false)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let outcome = await HalfRequest.send(port: port, waitingAtMost: 6)
            #expect(outcome == .closedByServer)
        }
        await pool.close()
    }
}

/// A raw TCP client that sends the start of a request and waits for the server to hang up.
enum HalfRequest {
    enum Outcome: Equatable {
        case closedByServer, stillOpen
        case failed(String)
    }

    static func send(port: Int, waitingAtMost seconds: Int) async -> Outcome {
        await withCheckedContinuation { continuation in
            // Blocking socket calls, on a thread of their own.
            Thread.detachNewThread { continuation.resume(returning: run(port: port, seconds: seconds)) }
        }
    }

    private static func run(port: Int, seconds: Int) -> Outcome {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failed("socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return .failed("connect") }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let partial = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
        guard partial.withCString({ Glibc.send(fd, $0, strlen($0), 0) }) > 0 else { return .failed("send") }
        var buffer = [UInt8](repeating: 0, count: 512)
        let received = recv(fd, &buffer, buffer.count, 0)
        if received == 0 { return .closedByServer }
        if received < 0, errno == EAGAIN || errno == EWOULDBLOCK { return .stillOpen }
        if received < 0, errno == ECONNRESET { return .closedByServer }
        return .failed("received \(received) bytes: \(String(decoding: buffer.prefix(max(0, received)), as: UTF8.self))")
    }
}
