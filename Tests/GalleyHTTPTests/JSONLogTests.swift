import Foundation
import Galley
import GalleyCore
import Logging
import TestSupport
import Testing

@testable import GalleyHTTP

/// `GALLEY_LOG_FORMAT=json`: one JSON object a line, and no secret in any of them.
@Suite struct JSONLogTests {
    /// Every line the server logged, at trace level, while `body` ran.
    private static func log(_ body: @Sendable (APIHarness) async throws -> Void) async throws -> [Substring] {
        let pipe = Pipe()
        let descriptor = pipe.fileHandleForWriting.fileDescriptor
        var logger = Logger(label: "galley.serve") { LogLineHandler(label: $0, descriptor: descriptor, format: .json) }
        logger.logLevel = .trace
        // Read while the server writes, so a long log cannot fill the pipe and stall it; on a
        // thread of its own, as a blocking read would take one of a small machine's few
        // cooperative threads from every other test for the whole run of `body`.
        let reading = pipe.fileHandleForReading
        let reader = Task {
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: reading.readDataToEndOfFile()) }.start()
            }
        }
        try await APIHarness.with(webhookPolicy: try WebhookAddressPolicy(allowList: "127.0.0.1"), logger: logger, body)
        try pipe.fileHandleForWriting.close()
        return String(decoding: await reader.value, as: UTF8.self).split(separator: "\n")
    }

    @Test func aServersLogParsesLineByLineAndHoldsNoSecretItHandedOut() async throws {
        let secrets = Secrets()
        let lines = try await Self.log { api in
            for token in api.tokens.values { secrets.add(token) }
            let ids = try await api.actorIDs()
            // A token issued over the API, then used.
            let issued = try await api.call(.post, "/v1/actors/\(ids["wendy"]!)/tokens", as: "ada", json: [:])
            let token = try #require(issued.json["token"]?.stringValue)
            secrets.add(token)
            _ = try await api.knowing(["wendy-2": token]).call(.get, "/v1/articles", as: "wendy-2")
            // A webhook's signing secret.
            let webhook = try await api.call(
                .post, "/v1/webhooks", as: "ada", json: ["url": "http://127.0.0.1:9/galley", "event_types": ["article.published"]])
            secrets.add(try #require(webhook.json["secret"]?.stringValue))
            // A person's password, their desk session and its CSRF token; a wrong password too.
            let browser = try await DeskBrowser.signedIn("fiona", on: api)
            secrets.add(DeskBrowser.password)
            secrets.add(try #require(browser.cookies["galley_session"]))
            _ = try await browser.get("/desk")
            secrets.add(try #require(DeskBrowser.csrfToken(in: browser.lastPage)))
            _ = try await DeskBrowser(api).signIn("eddie", password: "wrong horse battery staple")
            secrets.add("wrong horse battery staple")
            // Some editorial work, a refusal and a bad request.
            let id = try await api.createArticle()
            _ = try await api.transition(id, "submit", as: "wendy")
            _ = try await api.transition(id, "publish", as: "wendy")
            _ = try await api.call(.post, "/v1/articles", as: "wendy", raw: "{not json")
            _ = try await api.call(.get, "/v1/articles/\(id)", as: nil, headers: [.authorization: "Bearer not-a-token-\(token)"])
            _ = try await browser.post("/desk/logout", [:])
        }
        #expect(lines.count >= 15)
        for line in lines {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
            #expect(object["ts"] is String && object["level"] is String && object["logger"] is String && object["msg"] is String, "\(line)")
            for secret in secrets.all { #expect(!line.contains(secret), "a secret in the log: \(line)") }
        }
        let requests = lines.filter { $0.contains(#""msg":"request""#) }
        #expect(requests.contains { $0.contains(#""route":"/desk/login""#) && $0.contains(#""status":303"#) })
        #expect(requests.allSatisfy { $0.contains(#""request_id":""#) && $0.contains(#""duration_ms":"#) })
    }

    /// scripts/check-test-log, which a whole `scripts/test` run ends with (TestRunLog).
    @Test func theWholeRunsCheckNamesEachLineHoldingASecretOrNotJSONButNeverTheSecret() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("galley-run-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let token = "glly_" + String(repeating: "x7", count: 21) + "Q"
        let password = #"a "quoted" password"#
        func check(_ lines: [String]) async throws -> GalleyBinary.Outcome {
            try (lines.map { $0 + "\n" }.joined()).write(to: folder.appendingPathComponent("server.jsonl"), atomically: true, encoding: .utf8)
            try "\(token)\n\(password)\nnope\n".write(to: folder.appendingPathComponent("secrets.txt"), atomically: true, encoding: .utf8)
            return try await GalleyBinary.start(URL(fileURLWithPath: "scripts/check-test-log"), [folder.path]).finish()
        }
        let fine =
            #"{"ts":"2026-12-07T09:00:00.000Z","level":"info","logger":"test","msg":"request","route":"/v1/articles","metadata":{"test":"A/b()"}}"#
        let passed = try await check([fine, fine.replacingOccurrences(of: "request", with: "nope, not a secret")])
        #expect(passed.status == 0, "\(passed.stderr)")
        #expect(passed.stdout.contains("2 lines from 1 tests"), "\(passed.stdout)")

        let failed = try await check([
            fine,
            #"{"ts":"2026-12-07T09:00:00.000Z","level":"info","logger":"test","msg":"request","route":"/v1/actors/{id}/tokens","metadata":{"test":"TokenTests/issue()","echo":"\#(token)"}}"#,
            #"{"ts":"2026-12-07T09:00:00.000Z","level":"info","logger":"test","msg":"sign-in","metadata":{"test":"Desk/signIn()","form":"a \"quoted\" password"}}"#,
            "plain text holding \(token)",
        ])
        #expect(failed.status == 1)
        #expect(
            failed.stderr.contains("line 2 holds a secret") && failed.stderr.contains("test TokenTests/issue(), route /v1/actors/{id}/tokens"),
            "\(failed.stderr)")
        #expect(failed.stderr.contains("line 3 holds a secret") && failed.stderr.contains("test Desk/signIn()"), "\(failed.stderr)")
        #expect(failed.stderr.contains("line 4 is not JSON: plain text holding ***"), "\(failed.stderr)")
        #expect(!failed.stderr.contains(token) && !failed.stderr.contains("quoted"), "\(failed.stderr)")
    }

    @Test func theRequestsFieldsStandAtTheTopWithNumbersAsNumbers() throws {
        let line = JSONLogLine.line(
            at: Date(timeIntervalSince1970: 951_782_400.5), level: .info, label: "galley.serve",
            metadata: [
                "request_id": "r-1", "actor": "eddie", "route": "/v1/articles/{id}", "status": "200", "duration_ms": "1.25",
                "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7", "trace_flags": "1",
                "note": "say \"hi\"\n", "nested": ["a": ["1", "2"]],
            ], source: "GalleyHTTP", message: "request")
        #expect(
            String(decoding: line, as: UTF8.self)
                == #"{"ts":"2000-02-29T00:00:00.500Z","level":"info","logger":"galley.serve","msg":"request","request_id":"r-1","#
                + #""trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"1","#
                + #""actor":"eddie","route":"/v1/articles/{id}","status":200,"duration_ms":1.25,"source":"GalleyHTTP","#
                + #""metadata":{"nested":{"a":["1","2"]},"note":"say \"hi\"\n"}}"# + "\n")
    }

    /// The logger's metadata, the provider's (the trace) and the event's meet in one line; a
    /// key in a later one wins, lifted to the top or kept under `metadata` alike.
    @Test func theEventsMetadataWinsOverTheProvidersWhichWinsOverTheLoggers() throws {
        let pipe = Pipe()
        let descriptor = pipe.fileHandleForWriting.fileDescriptor
        let provider = Logger.MetadataProvider {
            [
                "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7", "trace_flags": "0", "shared": "provider",
                "kept": "provider",
            ]
        }
        var logger = Logger(label: "galley.serve") { LogLineHandler(label: $0, descriptor: descriptor, format: .json, metadataProvider: provider) }
        logger[metadataKey: "request_id"] = "r-1"
        logger[metadataKey: "span_id"] = "0000000000000001"
        logger[metadataKey: "hb.request.id"] = "h-1"
        logger[metadataKey: "shared"] = "logger"
        logger[metadataKey: "kept"] = "logger"
        logger.info("request", metadata: ["request_id": "r-2", "status": "201", "duration_ms": "0.50", "shared": "event"])
        try pipe.fileHandleForWriting.close()
        let line = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let expected: String =
            #","level":"info","logger":"galley.serve","msg":"request","request_id":"r-2","#
            + #""trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"0","#
            + #""status":201,"duration_ms":0.5,"source":"GalleyHTTPTests","#
            + #""metadata":{"hb.request.id":"h-1","kept":"provider","shared":"event"}}"# + "\n"
        #expect(line.hasPrefix(#"{"ts":""#))
        #expect(String(line.drop { $0 != "," }) == expected)
    }

    @Test func connectionStringPasswordsAreMaskedInEitherFormat() {
        let error = #"could not connect to postgresql://galley:s3cr3t@db.internal:5432/galley?sslmode=require (host=db password=hunter2 user=galley)"#
        for line in [
            LogLineHandler.line(at: Date(), level: .error, label: "galley", metadata: ["error": .string(error)], source: "Postgres", message: error),
            JSONLogLine.line(at: Date(), level: .error, label: "galley", metadata: ["error": .string(error)], source: "Postgres", message: error),
        ] {
            let text = String(decoding: line, as: UTF8.self)
            #expect(!text.contains("s3cr3t") && !text.contains("hunter2"), "\(text)")
            #expect(text.contains("postgresql://galley:***@db.internal:5432/galley") && text.contains("password=***"), "\(text)")
        }
    }

    @Test func theFormatIsTextOnATerminalJSONElsewhereAndAnUnknownOneIsRefused() throws {
        #expect(try LogFormat(environment: [:], standardErrorIsTerminal: true) == .text)
        #expect(try LogFormat(environment: [:], standardErrorIsTerminal: false) == .json)
        #expect(try LogFormat(environment: ["GALLEY_LOG_FORMAT": "TEXT"], standardErrorIsTerminal: false) == .text)
        #expect(try LogFormat(environment: ["GALLEY_LOG_FORMAT": "json"], standardErrorIsTerminal: true) == .json)
        let error = #expect(throws: ConfigurationError.self) {
            try LogFormat(environment: ["GALLEY_LOG_FORMAT": "yaml"], standardErrorIsTerminal: true)
        }
        #expect(error?.description == "GALLEY_LOG_FORMAT=yaml is not valid: expected json or text")
    }

    /// The secrets a test handed out, collected as it goes.
    private final class Secrets: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [String] = []
        func add(_ secret: String) { lock.withLock { values.append(secret) } }
        var all: [String] { lock.withLock { values } }
    }
}
