import Foundation
import Galley
import GalleyCore

/// The audit export's two formats, one event a line, written alike by
/// `GET /v1/audit-events/export` and `galley audit export` (docs/audit.md):
/// JSON Lines (an `AuditEventDTO` a line, `\n`), and CSV (RFC 4180: a header, CRLF line ends,
/// cells by `CSVCell`, `details` as its compact JSON text).
public enum AuditExport {
    public static let csvColumns = [
        "id", "at", "chain", "seq", "actor", "action", "article_id", "revision", "from_state", "to_state", "reason",
        "request_id", "details", "hash",
    ]

    public static let csvHeader = csvColumns.joined(separator: ",") + "\r\n"

    public static func jsonLine(_ event: AuditEvent) throws -> String {
        String(decoding: try WireJSON.encoder.encode(AuditEventDTO(event)), as: UTF8.self) + "\n"
    }

    public static func csvLine(_ event: AuditEvent) throws -> String {
        let details = String(decoding: try WireJSON.encoder.encode(event.details), as: UTF8.self)
        let cells: [String] = [
            String(event.id), RFC3339.format(event.at), event.chain, String(event.seq), event.actor, event.action,
            event.articleID.wire ?? "", event.revision.map(String.init) ?? "", event.fromState ?? "",
            event.toState ?? "", event.reason ?? "", event.requestID ?? "", details, event.hash,
        ]
        return cells.map(CSVCell.escape).joined(separator: ",") + "\r\n"
    }
}
