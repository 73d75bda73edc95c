import Foundation
import Galley
import GalleyCore

/// The audit export's two formats, one event a line, written alike by
/// `GET /v1/audit-events/export` and `galley audit export` (docs/audit.md):
/// JSON Lines (an `AuditEventDTO` a line, `\n`), and CSV (RFC 4180: a header, CRLF line ends,
/// cells by `CSVCell`, `details` as its compact JSON text).
public enum AuditExport {
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, csv
    }

    public static let csvColumns = [
        "id", "at", "chain", "seq", "actor", "action", "article_id", "revision", "from_state", "to_state", "reason",
        "request_id", "details", "hash",
    ]

    public static let csvHeader = csvColumns.joined(separator: ",") + "\r\n"

    /// Lines of one format written as UTF-8 into one buffer, which a stream empties after
    /// each batch and refills: an export of millions allocates it once.
    public struct Writer {
        public let format: Format
        private var json = JSONWriter(capacity: 1 << 20)
        private var csv: [UInt8] = []
        private var fromBytes = AuditLineWriter()

        public init(format: Format) {
            self.format = format
            if format == .csv { csv.reserveCapacity(1 << 20) }
        }

        /// What comes before the first line: the CSV header, nothing for JSON Lines.
        public var header: String { format == .csv ? csvHeader : "" }

        /// The lines appended since the last `removeAll`.
        public var bytes: [UInt8] { format == .csv ? csv : json.bytes }

        public mutating func removeAll() {
            json.removeAll()
            csv.removeAll(keepingCapacity: true)
        }

        public mutating func append(_ event: AuditEvent) {
            switch format {
            case .jsonl:
                AuditEventDTO(event).write(to: &json)
                json.lineFeed()
            case .csv:
                Self.appendCSVLine(event, to: &csv)
            }
        }

        /// A batch's lines, written from the rows' bytes (`AuditLineWriter`); a row that cannot
        /// be written so is written from its decoded event, and one that does not decode throws.
        public mutating func append(_ rows: AuditEventRows) throws {
            for row in 0..<rows.count {
                switch format {
                case .jsonl:
                    let start = json.bytes.count
                    do {
                        try fromBytes.jsonLine(rows, row, to: &json)
                    } catch {
                        json.rollBack(to: start)
                        append(try rows.event(row))
                    }
                case .csv:
                    let start = csv.count
                    do {
                        try fromBytes.csvLine(rows, row, to: &csv)
                    } catch {
                        csv.removeSubrange(start...)
                        append(try rows.event(row))
                    }
                }
            }
        }

        private static func appendCSVLine(_ event: AuditEvent, to line: inout [UInt8]) {
            let cells: [String] = [
                String(event.id), RFC3339.format(event.at), event.chain, String(event.seq), event.actor, event.action,
                event.articleID.wire ?? "", event.revision.map(String.init) ?? "", event.fromState ?? "",
                event.toState ?? "", event.reason ?? "", event.requestID ?? "", event.details.jsonText, event.hash,
            ]
            for (index, cell) in cells.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                CSVCell.append(cell, to: &line)
            }
            line.append(contentsOf: [0x0D, 0x0A])
        }
    }
}
