import Foundation
import GalleyCore
import GalleyOutput
import Postgres
import TestSupport
import Testing

@testable import Galley

/// The export's lines are written by hand into a reused buffer; they must be byte for byte
/// what `JSONEncoder` (JSON Lines) and the String-built CSV line wrote before, for events
/// of every shape: unicode, quotes, control characters, formulas, nested details. Lines
/// written from the rows' bytes must be the lines of the decoded events.
@Suite struct AuditExportLineTests {
    @Test func handWrittenLinesMatchTheEncoderAndTheStringBuiltCSV() throws {
        var jsonl = AuditExport.Writer(format: .jsonl)
        var csv = AuditExport.Writer(format: .csv)
        var expectedJSONL = ""
        var expectedCSV = ""
        for event in Self.events {
            jsonl.append(event)
            csv.append(event)
            expectedJSONL += String(decoding: try WireJSON.encoder.encode(AuditEventDTO(event)), as: UTF8.self) + "\n"
            expectedCSV += try Self.stringBuiltCSVLine(event)
        }
        #expect(String(decoding: jsonl.bytes, as: UTF8.self) == expectedJSONL)
        #expect(String(decoding: csv.bytes, as: UTF8.self) == expectedCSV)
        #expect(jsonl.bytes == Array(expectedJSONL.utf8))
        #expect(csv.bytes == Array(expectedCSV.utf8))

        jsonl.removeAll()
        jsonl.append(Self.events[0])
        #expect(String(decoding: jsonl.bytes, as: UTF8.self) == expectedJSONL.split(separator: "\n")[0] + "\n")
    }

    @Test func detailsReadDirectlyAreWhatJSONDecoderReads() throws {
        let texts = [
            #"{}"#, #"[]"#, #"{"chain": 1, "round": 1}"#, #"{"b": 1, "aa": [true, null, false, -12, 0]}"#,
            #"{"f": 2, "é": {"deep": [[{"x": "y"}]]}, "q": "say \"hi\" \\ back\\slash\n\t\r\b\f\u0001\u001f"}"#,
            #"{"emoji": "🗞️ naïve עברית", "e\u0301": "combining", "slash": "a/b\/c"}"#, #""text""#, #"123456789012345"#,
            #"-7"#, #"{"n": 3.25}"#, #"{"n": 1e20}"#, #"{"n": 1234567890123456}"#, #"{"s": "\ud83d\ude00"}"#, #"{"a": 1, "a": 2}"#,
            #"{"n": 01}"#, #"[1,]"#, #"{"unterminated": "x}"#,
        ]
        var direct = 0
        for text in texts {
            let expected = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            let read = Array(text.utf8).withUnsafeBufferPointer { JSONValue(simpleJSON: $0) }
            if let read {
                direct += 1
                #expect(read == expected, "\(text)")
                #expect(read.jsonText == expected?.jsonText, "\(text)")
            }
        }
        #expect(direct == 9)
    }

    /// Texts beyond those PostgreSQL prints: what the rewriter rewrites is the text of the value
    /// `JSONValue(postgresText:)` reads, and it rewrites only what it means to.
    @Test func rewrittenDetailsAreTheTextOfTheParsedValue() throws {
        let texts = [
            #"{}"#, #"[]"#, #"-0"#, #"0"#, #"-7"#, #"123456789012345"#, #"{"b": 1, "a": [true, false, null]}"#,
            #" { "x" : [ 1 , 2 ] } "#, #""\u001f""#, #"["naïve"]"#,
            #"1234567890123456"#, #"01"#, #"1.0"#, #"1e5"#, #"-"#, #"+1"#, #"[1,]"#, #"[1 2]"#, #"{"a": 1, "a": 2}"#, #"{"a" 1}"#,
            #""\u001F""#, #""\u0020""#, #""\u000a""#, #""\/""#, "\"raw\ttab\"", #"tru"#, #"truex"#, #"{"k": "v"} x"#, #""open"#,
            #"{"é": 1}"#,
        ]
        var rewrittenTexts: [String] = []
        for text in texts {
            let bytes = Array(text.utf8)
            let parsed = bytes.withUnsafeBufferPointer { try? JSONValue(postgresText: $0, type: .jsonb) }
            var rewriter = JSONBRewriter()
            var out: [UInt8] = []
            guard bytes.withUnsafeBufferPointer({ rewriter.append($0, to: &out) }) else { continue }
            rewrittenTexts.append(text)
            #expect(String(decoding: out, as: UTF8.self) == parsed?.jsonText, "\(text)")
        }
        #expect(rewrittenTexts == Array(texts.prefix(10)))
    }

    /// Events stored by PostgreSQL with every optional field NULL or set and `details` of
    /// every shape: the export written from the rows' bytes is byte for byte the export
    /// written from the decoded events, in both formats; `details` is rewritten from its
    /// bytes exactly where `JSONBRewriter` says it can be, into the text of the parsed value.
    @Test func linesFromRowBytesAreTheLinesOfTheDecodedEvents() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 2) { pool, _ in
            let services = GalleyServices(environment: GalleyEnvironment(pool: pool, webhookPolicy: WebhookAddressPolicy()))
            let operatorCaller = Caller(principal: .operator(osUser: "test"))
            let wendy = try await services.actors.add(.init(name: "wendy", kind: .person, roles: [.writer]), by: operatorCaller)
            let content = try ArticleContent(title: "Ferries", dek: "", body: "Body", sources: [])
            let article = try await services.articles.create(.init(content: content, section: "local"), by: Caller(principal: wendy.principal))
                .article.id
            for (index, details) in Self.storedDetails.enumerated() {
                try await Self.insert(pool, action: "test.shape", details: details.text, index: index, actor: wendy.id, article: article)
            }
            for (index, details) in Self.edgeDetails.enumerated() {
                try await Self.insert(pool, action: "test.edge.\(index)", details: details, index: index, actor: wendy.id, article: article)
            }

            var shapes = AuditService.Query()
            shapes.action = "test.shape"
            for format in AuditExport.Format.allCases {
                let fromBytes = await Self.export(format, shapes, services, by: operatorCaller)
                let decoded = await Self.exportDecoded(format, shapes, services, by: operatorCaller)
                #expect(String(decoding: try fromBytes.get(), as: UTF8.self) == String(decoding: try decoded.get(), as: UTF8.self))
                #expect(try fromBytes.get() == decoded.get())
            }
            var events: [AuditEvent] = []
            for try await batch in try services.audit.stream(shapes, by: operatorCaller) { events += batch }
            #expect(events.count == Self.storedDetails.count)
            for (event, details) in zip(events, Self.storedDetails) {
                var rewriter = JSONBRewriter()
                var text: [UInt8] = []
                let rewritten = Array(event.detailsText.utf8).withUnsafeBufferPointer { rewriter.append($0, to: &text) }
                #expect(rewritten == details.fromBytes, "\(event.detailsText)")
                if rewritten { #expect(String(decoding: text, as: UTF8.self) == event.details.jsonText, "\(event.detailsText)") }
            }

            // Details the decoded path may refuse: both paths refuse them, or both write the same.
            for index in Self.edgeDetails.indices {
                var edge = AuditService.Query()
                edge.action = "test.edge.\(index)"
                for format in AuditExport.Format.allCases {
                    let fromBytes = await Self.export(format, edge, services, by: operatorCaller)
                    let decoded = await Self.exportDecoded(format, edge, services, by: operatorCaller)
                    switch (fromBytes, decoded) {
                    case (.success(let a), .success(let b)): #expect(a == b, "\(Self.edgeDetails[index])")
                    case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", "\(Self.edgeDetails[index])")
                    default: Issue.record("\(Self.edgeDetails[index]): \(format) from bytes \(fromBytes), decoded \(decoded)")
                    }
                }
            }
        }
    }

    /// `details` as given to PostgreSQL, and whether its stored text is rewritten from bytes.
    private static let storedDetails: [(text: String, fromBytes: Bool)] = [
        (#"{}"#, true), (#"[]"#, true), (#"null"#, true), (#"true"#, true), (#""just text, \"quoted\"""#, true), (#"-7"#, true),
        (#"{"bb": 1, "a": 2, "ab": [3, -0, 0, 999999999999999, -999999999999999], "b": {"zz": null, "z": false, "": {}}}"#, true),
        (#"{"q": "say \"hi\" \\ back/slash \/", "c": "\u0001\u0008\t\n\u000b\f\r\u001f\u007f", "u": "🗞️ naïve עברית 中文 \u2028"}"#, true),
        (#"{"deep": [[[[{"x": [{"y": "z"}]}]]]], "empty": [{}, []], "A": "upper before lower", "_": 1}"#, true),
        (String(repeating: "[", count: 32) + "1" + String(repeating: "]", count: 32), true),
        (String(repeating: "[", count: 33) + "1" + String(repeating: "]", count: 33), false),
        (#"{"n": 1.50}"#, false), (#"{"n": -0.0}"#, false), (#"{"n": 1e20}"#, false), (#"{"n": 1234567890123456}"#, false),
        (#"{"n": -2.5e-7}"#, false), (#"{"é": 1, "e": 2}"#, false), (#"{"a\"b": 1, "a!": 2}"#, false),
        (#"{"s": "naïve \"quoted\""}"#, false), (#"["naïve\ttab"]"#, false),
    ]

    /// `details` that `JSONDecoder` may refuse: a number beyond `Double`, and two keys that
    /// are different bytes but equal Swift Strings (é precomposed and decomposed).
    private static let edgeDetails = [#"{"n": 1e400}"#, "{\"\u{E9}\": 1, \"e\u{301}\": 2}"]

    /// An event whose other fields take turns at being NULL, empty, or text a CSV or JSON
    /// writer must escape; its time takes turns too (a year before 1, one of six digits).
    private static func insert(_ pool: PostgresPool, action: String, details: String, index: Int, actor: UUID, article: UUID) async throws {
        let set = index % 3 == 1
        let empty = index % 3 == 2
        let times = [
            "2026-12-07 21:00:00.123456+00", "4000-01-01 00:00:00+00 BC", "200000-06-01 12:00:00.000001+00", "1970-01-01 00:00:00+00",
        ]
        let chain = set ? "article:" + article.lowercasedString : "system"
        let reason: String? = set ? "=SUM(A1), \"quoted\"\nsecond line — ✓" : empty ? "" : nil
        let requestID: String? = set ? "req-\u{1}x" : empty ? "" : nil
        let name = ["eddie", "@wendy, \"w\"", "-ünïcode\tname"][index % 3]
        _ = try await pool.execute(
            """
            INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_id, actor_name, action, article_id, revision, from_state,
                                      to_state, reason, details, request_id, at)
            VALUES (\(chain), 0, '', '', \(set ? actor : nil)::uuid, \(name), \(action), \(set ? article : nil)::uuid,
                    \(set ? index : nil)::int, \(set ? "draft" : empty ? "+plus" : nil)::text, \(set ? "in_review" : nil)::text,
                    \(reason)::text, \(details)::jsonb, \(requestID)::text, \(times[index % times.count])::timestamptz)
            """)
    }

    /// The export as `galley audit export` writes it, from the rows' bytes, in small batches.
    private static func export(
        _ format: AuditExport.Format, _ query: AuditService.Query, _ services: GalleyServices, by caller: Caller
    ) async -> Result<[UInt8], any Error> {
        await written(format, batches: { try services.audit.streamRows(query, batchSize: 4, by: caller) }, append: { try $0.append($1) })
    }

    /// The export written from decoded events, as it was before it was written from bytes.
    private static func exportDecoded(
        _ format: AuditExport.Format, _ query: AuditService.Query, _ services: GalleyServices, by caller: Caller
    ) async -> Result<[UInt8], any Error> {
        await written(
            format, batches: { try services.audit.stream(query, batchSize: 4, by: caller) },
            append: { lines, events in for event in events { lines.append(event) } })
    }

    /// The header and every batch's lines, or the error that stopped the stream.
    private static func written<Batch>(
        _ format: AuditExport.Format, batches: () throws -> AsyncThrowingStream<Batch, any Error>,
        append: (inout AuditExport.Writer, Batch) throws -> Void
    ) async -> Result<[UInt8], any Error> {
        var lines = AuditExport.Writer(format: format)
        var bytes = Array(lines.header.utf8)
        do {
            for try await batch in try batches() {
                lines.removeAll()
                try append(&lines, batch)
                bytes += lines.bytes
            }
            return .success(bytes)
        } catch {
            return .failure(error)
        }
    }

    /// The CSV line as it was built before the buffered writer, kept as the reference.
    private static func stringBuiltCSVLine(_ event: AuditEvent) throws -> String {
        let details = String(decoding: try WireJSON.encoder.encode(event.details), as: UTF8.self)
        let cells: [String] = [
            String(event.id), RFC3339.format(event.at), event.chain, String(event.seq), event.actor, event.action,
            event.articleID.wire ?? "", event.revision.map(String.init) ?? "", event.fromState ?? "",
            event.toState ?? "", event.reason ?? "", event.requestID ?? "", details, event.hash,
        ]
        return cells.map(CSVCell.escape).joined(separator: ",") + "\r\n"
    }

    private static let events: [AuditEvent] = [
        AuditEvent(
            id: 1, chain: "article:6f1c0d3e-6d9a-4b8e-9a51-2f6f3f1d2c11", seq: 1,
            actorID: UUID(uuidString: "9B2D6F6A-1E4C-4F0B-8C39-0D2B7A1E5F33"), actor: "eddie", action: "article.create",
            articleID: UUID(uuidString: "6F1C0D3E-6D9A-4B8E-9A51-2F6F3F1D2C11"), revision: 1, fromState: nil, toState: "draft",
            reason: nil, details: ["chain": 1, "round": 1], detailsText: #"{"chain": 1, "round": 1}"#, requestID: "req-1",
            at: Date(timeIntervalSince1970: 1_796_000_000.123456), prevHash: "", hash: String(repeating: "ab", count: 32)),
        AuditEvent(
            id: 2, chain: "system", seq: 7, actorID: nil, actor: "operator:root", action: "actor.create", articleID: nil,
            revision: nil, fromState: nil, toState: nil, reason: "=HYPERLINK(\"http://x\"), and \"quotes\"\r\nnew line",
            details: [
                "e\u{301}": "combining key", "f": .number(2.5), "aa": [true, false, .null, .number(1e20), .number(1.5e-7), -12],
                "b": ["deep": [["x": "y \\ z \"q\" \u{1}\u{1f}\u{7f}\t"]], "empty": [:], "none": []],
                "unicode": "🗞️ naïve עברית 中文 \u{2028}", "slash": "a/b",
            ],
            detailsText: "{}", requestID: nil, at: Date(timeIntervalSince1970: 0), prevHash: String(repeating: "0f", count: 32),
            hash: String(repeating: "cd", count: 32)),
        AuditEvent(
            id: 3, chain: "generation:0f0e0d0c-0b0a-4908-8706-050403020100", seq: 2, actorID: nil, actor: "-minus, tab\tand ünïcode",
            action: "generation.record", articleID: nil, revision: 12, fromState: "in_review", toState: "draft",
            reason: "@mention, \u{301}combining first, and ,\u{301} a comma that carries an accent",
            details: .array(["+1", "\t", .null]), detailsText: "[\"+1\", \"\\t\", null]", requestID: "\u{1}control",
            at: Date(timeIntervalSince1970: 1_796_000_000.000001), prevHash: "x", hash: "y"),
        AuditEvent(
            id: 4, chain: "system", seq: 8, actorID: nil, actor: "\rcarriage", action: "a", articleID: nil, revision: nil,
            fromState: nil, toState: nil, reason: "\"", details: .string("just text, \"quoted\""), detailsText: "\"\"",
            requestID: "", at: Date(timeIntervalSince1970: 1_796_000_000.5), prevHash: "", hash: ""),
    ]
}
