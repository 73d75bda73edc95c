import Foundation
import GalleyCore
import Logging

/// One log event as one JSON object on one line, for log pipelines:
///
///     {"ts":"2026-11-26T05:28:46.123Z","level":"info","logger":"galley.serve","msg":"request",
///      "request_id":"…","actor":"eddie","method":"GET","route":"/v1/articles/{id}",
///      "path":"/v1/articles/…","status":200,"duration_ms":1.25,"source":"GalleyHTTP"}
///
/// The request's fields (and `trace_id`, `span_id` and `trace_flags` when tracing) stand at the
/// top level, where a pipeline indexes them; any other metadata goes under `metadata`.
enum JSONLogLine {
    /// Metadata keys lifted to the top level, in this order.
    static let topLevelKeys = [
        "request_id", "trace_id", "span_id", "trace_flags", "actor", "method", "route", "path", "status", "duration_ms",
    ]
    private static let topLevelKeySet = Set(topLevelKeys)
    /// Top-level keys whose values are numbers.
    private static let numericKeys: Set<String> = ["status", "duration_ms"]

    static func line(
        at date: Date, level: Logger.Level, label: String, metadata: Logger.Metadata, source: String, message: String
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 320)
        writer.object { object in
            var timestamp: [UInt8] = []
            LogLineHandler.appendTimestamp(date, to: &timestamp)
            object.member("ts", String(decoding: timestamp, as: UTF8.self))
            object.member("level", level.rawValue)
            object.member("logger", label)
            object.member("msg", LogRedaction.redacted(message))
            for key in topLevelKeys {
                guard let value = metadata[key] else { continue }
                object.key(key)
                let text = LogRedaction.redacted(value.description)
                if numericKeys.contains(key), let number = Double(text) {
                    object.number(number)
                } else {
                    object.string(text)
                }
            }
            object.member("source", source)
            // One line a request: its usual fields are all lifted, and nothing is copied for them.
            let rest = metadata.keys.filter { !topLevelKeySet.contains($0) }
            if !rest.isEmpty {
                object.key("metadata")
                object.object { members in
                    for key in rest.sorted() {
                        members.key(key)
                        write(metadata[key]!, to: &members)
                    }
                }
            }
        }
        var bytes = writer.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func write(_ value: Logger.Metadata.Value, to writer: inout JSONWriter) {
        switch value {
        case .string(let text): writer.string(LogRedaction.redacted(text))
        case .stringConvertible(let convertible): writer.string(LogRedaction.redacted(convertible.description))
        case .array(let values): writer.array { array in for value in values { write(value, to: &array) } }
        case .dictionary(let members):
            writer.object { object in
                for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                    object.key(key)
                    write(value, to: &object)
                }
            }
        }
    }
}
