import Foundation
import Logging
import Testing

@testable import GalleyHTTP

/// The request log: one line per request naming method, route, status, duration and actor.
@Suite struct RequestLogTests {
    /// The request lines of `route` that the server wrote while `body` ran.
    private static func lines(of route: String, _ body: @Sendable (APIHarness) async throws -> Void) async throws -> [Substring] {
        let pipe = Pipe()
        let descriptor = pipe.fileHandleForWriting.fileDescriptor
        let logger = Logger(label: "test") { LogLineHandler(label: $0, descriptor: descriptor) }
        try await APIHarness.with(logger: logger, body)
        try pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").filter { $0.contains("route=\(route) ") }
    }

    @Test func theRequestLineNamesTheAuthenticatedActor() async throws {
        let lines = try await Self.lines(of: "/v1/articles/{id}") { api in
            let id = try await api.createArticle()
            try await api.call(.get, "/v1/articles/\(id)", as: "eddie")
            try await api.call(.get, "/v1/articles/\(id)", as: nil)
        }
        #expect(lines.count == 2)
        #expect(lines.first?.contains(" actor=eddie ") == true)
        #expect(lines.first?.contains(" method=GET ") == true)
        #expect(lines.first?.contains(" status=200 ") == true)
        #expect(lines.last?.contains(" actor=- ") == true)
        #expect(lines.last?.contains(" status=401 ") == true)
        #expect(lines.allSatisfy { $0.contains(" duration_ms=") && $0.hasSuffix("[GalleyHTTP] request") })
    }

    /// A transition by a remembered token is confirmed in the statement that writes when it
    /// can; its line still names the caller, refused or not.
    @Test func aTransitionsLineNamesItsCaller() async throws {
        let lines = try await Self.lines(of: "/v1/articles/{id}/transitions") { api in
            let id = try await api.createArticle()
            try await api.call(.get, "/v1/articles/\(id)", as: "eddie")
            _ = try await api.transition(id, "spike", as: "eddie", extra: ["reason": "Duplicate"])  // one statement: all was known
            _ = try await api.transition(id, "spike", as: "eddie", extra: ["reason": "Duplicate"])  // refused: already spiked
        }
        #expect(lines.count == 2)
        #expect(lines.first?.contains(" status=200 ") == true)
        #expect(lines.last?.contains(" status=409 ") == true)
        #expect(lines.allSatisfy { $0.contains(" actor=eddie ") })
    }

    @Test func linesHaveUTCTimesAndQuoteValuesThatAreNotOneWord() {
        let line = LogLineHandler.line(
            at: Date(timeIntervalSince1970: 951_782_400.5), level: .warning, label: "galley",
            metadata: ["path": "/v1/a b", "actor": "eddie", "note": "say \"hi\"\n", "empty": ""], source: "Galley",
            message: "refused")
        #expect(
            String(decoding: line, as: UTF8.self)
                == #"2000-02-29T00:00:00.500Z warning galley: actor=eddie empty="" note="say \"hi\"\n" path="/v1/a b" [Galley] refused"#
                + "\n")
        var out: [UInt8] = []
        LogLineHandler.appendTimestamp(Date(timeIntervalSince1970: 4_102_444_799.999), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "2099-12-31T23:59:59.999Z")
        out = []
        LogLineHandler.appendTimestamp(Date(timeIntervalSince1970: -1), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "1969-12-31T23:59:59.000Z")
    }

    @Test func durationsAreMillisecondsWithTwoDecimals() {
        #expect(RequestEnvelopeMiddleware.milliseconds(.microseconds(12_345)) == "12.34")
        #expect(RequestEnvelopeMiddleware.milliseconds(.microseconds(50)) == "0.05")
        #expect(RequestEnvelopeMiddleware.milliseconds(.seconds(2)) == "2000.00")
    }
}
