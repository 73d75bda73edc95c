import Foundation
import Galley
import GalleyCore

/// The export's lines written from the rows' bytes (`AuditEventRows`) instead of from
/// decoded events: no `AuditEvent`, Strings or `details` tree per row. Each field is read as
/// `AuditEventRows.event(_:)` decodes it and written as the event's line writes it, so the
/// lines are the same bytes. A row it cannot write so (its `details` beyond `JSONBRewriter`,
/// or a field that does not decode) throws, and the caller writes that row from its event.
struct AuditLineWriter {
    private var details = JSONBRewriter()
    /// One CSV cell's text before its escaping; reused from row to row.
    private var cell: [UInt8] = []

    /// A row this writer leaves to its decoded event.
    struct NotFromBytes: Error {}

    /// The members of `AuditEventDTO`'s JSON, in its order.
    mutating func jsonLine(_ rows: AuditEventRows, _ row: Int, to json: inout JSONWriter) throws {
        try json.object { out in
            try Self.text(rows, row, .action, "action", to: &out)
            try Self.text(rows, row, .actor, "actor", to: &out)
            try Self.uuid(rows, row, .actorID, "actor_id", to: &out)
            try Self.uuid(rows, row, .articleID, "article_id", to: &out)
            let at = try Self.required(rows.date(row, .at))
            out.key("at")
            out.rawValue { bytes in Self.quoted(&bytes) { RFC3339.append(at, to: &$0) } }
            try Self.text(rows, row, .chain, "chain", to: &out)
            try rows.withText(row, .details) { text in
                let text = try Self.required(text)
                out.key("details")
                try out.rawValue { bytes in
                    guard details.append(text, to: &bytes) else { throw NotFromBytes() }
                }
                out.member("details_text", utf8: text)
            }
            try Self.text(rows, row, .fromState, "from_state", optional: true, to: &out)
            try Self.text(rows, row, .hash, "hash", to: &out)
            out.member("id", try Self.required(rows.integer(row, .id)))
            try Self.text(rows, row, .prevHash, "prev_hash", to: &out)
            try Self.text(rows, row, .reason, "reason", optional: true, to: &out)
            try Self.text(rows, row, .requestID, "request_id", optional: true, to: &out)
            out.memberIfPresent("revision", try rows.integer(row, .revision))
            out.member("seq", try Self.required(rows.integer(row, .seq)))
            try Self.text(rows, row, .toState, "to_state", optional: true, to: &out)
        }
        json.lineFeed()
    }

    /// The cells of `AuditExport.csvColumns`; the fields the CSV leaves out are read all the
    /// same, so that a row that would not decode is left to its event here too.
    mutating func csvLine(_ rows: AuditEventRows, _ row: Int, to line: inout [UInt8]) throws {
        _ = try rows.uuid(row, .actorID)
        try rows.withText(row, .prevHash) { _ = try Self.required($0) }
        CSVCell.append(String(try Self.required(rows.integer(row, .id))), to: &line)
        let at = try Self.required(rows.date(row, .at))
        cell.removeAll(keepingCapacity: true)
        RFC3339.append(at, to: &cell)
        nextCell(from: cell, to: &line)
        try textCell(rows, row, .chain, to: &line)
        line.append(UInt8(ascii: ","))
        CSVCell.append(String(try Self.required(rows.integer(row, .seq))), to: &line)
        try textCell(rows, row, .actor, to: &line)
        try textCell(rows, row, .action, to: &line)
        cell.removeAll(keepingCapacity: true)
        if let article = try rows.uuid(row, .articleID) { UUIDFormat.append(article, to: &cell) }
        nextCell(from: cell, to: &line)
        line.append(UInt8(ascii: ","))
        if let revision = try rows.integer(row, .revision) { CSVCell.append(String(revision), to: &line) }
        try textCell(rows, row, .fromState, optional: true, to: &line)
        try textCell(rows, row, .toState, optional: true, to: &line)
        try textCell(rows, row, .reason, optional: true, to: &line)
        try textCell(rows, row, .requestID, optional: true, to: &line)
        try rows.withText(row, .details) { text in
            cell.removeAll(keepingCapacity: true)
            guard details.append(try Self.required(text), to: &cell) else { throw NotFromBytes() }
        }
        nextCell(from: cell, to: &line)
        try textCell(rows, row, .hash, to: &line)
        line.append(contentsOf: [0x0D, 0x0A])
    }

    private static func required<Value>(_ value: Value?) throws -> Value {
        guard let value else { throw NotFromBytes() }
        return value
    }

    /// A text member; a NULL leaves an optional one out, as `memberIfPresent` does.
    private static func text(
        _ rows: AuditEventRows, _ row: Int, _ field: AuditEventRows.Field, _ name: String, optional: Bool = false,
        to json: inout JSONWriter
    ) throws {
        try rows.withText(row, field) { text in
            if let text {
                json.member(name, utf8: text)
            } else if !optional {
                throw NotFromBytes()
            }
        }
    }

    private static func uuid(_ rows: AuditEventRows, _ row: Int, _ field: AuditEventRows.Field, _ name: String, to json: inout JSONWriter) throws {
        guard let id = try rows.uuid(row, field) else { return }
        json.key(name)
        json.rawValue { bytes in Self.quoted(&bytes) { UUIDFormat.append(id, to: &$0) } }
    }

    /// Text that needs no escaping in JSON (a time, a UUID), appended by `write`, between quotes.
    private static func quoted(_ bytes: inout [UInt8], _ write: (inout [UInt8]) -> Void) {
        bytes.append(UInt8(ascii: "\""))
        write(&bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A comma, then a text field's cell; a NULL is an empty cell, as `?? ""` made it.
    private func textCell(
        _ rows: AuditEventRows, _ row: Int, _ field: AuditEventRows.Field, optional: Bool = false, to line: inout [UInt8]
    ) throws {
        line.append(UInt8(ascii: ","))
        try rows.withText(row, field) { text in
            if let text {
                CSVCell.append(utf8: text, to: &line)
            } else if !optional {
                throw NotFromBytes()
            }
        }
    }

    private func nextCell(from text: [UInt8], to line: inout [UInt8]) {
        line.append(UInt8(ascii: ","))
        text.withUnsafeBufferPointer { CSVCell.append(utf8: $0, to: &line) }
    }
}
