import Foundation
import GalleyCore
import GalleyOutput
import Testing

@testable import Galley

/// The export's lines are written by hand into a reused buffer; they must be byte for byte
/// what `JSONEncoder` (JSON Lines) and the String-built CSV line wrote before, for events
/// of every shape: unicode, quotes, control characters, formulas, nested details.
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
