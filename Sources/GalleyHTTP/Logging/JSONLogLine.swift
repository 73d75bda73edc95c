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
    /// Metadata keys lifted to the top level, in this order; `status` and `duration_ms` are numbers.
    static let topLevelKeys = [
        "request_id", "trace_id", "span_id", "trace_flags", "actor", "method", "route", "path", "status", "duration_ms",
    ]
    private static let firstNumericSlot = 8

    /// A key's place in `topLevelKeys`. Compared, not hashed: every request's line looks up
    /// each of its keys, and hashing them was a visible share of a request's CPU.
    private static func slot(of key: String) -> Int? {
        switch key {
        case "request_id": 0
        case "trace_id": 1
        case "span_id": 2
        case "trace_flags": 3
        case "actor": 4
        case "method": 5
        case "route": 6
        case "path": 7
        case "status": 8
        case "duration_ms": 9
        default: nil
        }
    }

    static func line(
        at date: Date, level: Logger.Level, label: String, metadata: Logger.Metadata, source: String, message: String
    ) -> [UInt8] {
        line(at: date, level: level, label: label, metadata: metadata, provided: nil, event: nil, source: source, message: message)
    }

    /// The line of an event whose metadata comes in layers, read where they are rather than
    /// merged into a copy: the logger's, then the metadata provider's (the trace), then the
    /// event's own; a key in a later layer wins.
    static func line(
        at date: Date, level: Logger.Level, label: String, metadata: Logger.Metadata, provided: Logger.Metadata?,
        event: Logger.Metadata?, source: String, message: String
    ) -> [UInt8] {
        var lifted = InlineArray<10, Logger.Metadata.Value?>(repeating: nil)
        var rest: [(key: String, value: Logger.Metadata.Value)] = []
        sort(metadata, into: &lifted, rest: &rest)
        if let provided { sort(provided, into: &lifted, rest: &rest) }
        if let event { sort(event, into: &lifted, rest: &rest) }

        var writer = JSONWriter(capacity: 448)
        writer.object { object in
            object.member("ts", LogLineHandler.timestamp(date))
            object.member("level", level.rawValue)
            object.member("logger", label)
            object.member("msg", LogRedaction.redacted(message))
            for slot in lifted.indices {
                guard let value = lifted[slot] else { continue }
                object.key(topLevelKeys[slot])
                let text = LogRedaction.redacted(value.description)
                if slot >= firstNumericSlot, let number = Double(text) {
                    object.number(number)
                } else {
                    object.string(text)
                }
            }
            object.member("source", source)
            if !rest.isEmpty {
                object.key("metadata")
                object.object { members in
                    for (key, value) in rest.sorted(by: { $0.key < $1.key }) {
                        members.key(key)
                        write(value, to: &members)
                    }
                }
            }
        }
        var bytes = writer.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// A layer's values into their top-level places or, for other keys, `rest`, replacing what
    /// an earlier layer put there under the same key.
    private static func sort(
        _ layer: Logger.Metadata, into lifted: inout InlineArray<10, Logger.Metadata.Value?>,
        rest: inout [(key: String, value: Logger.Metadata.Value)]
    ) {
        for (key, value) in layer {
            if let slot = slot(of: key) {
                lifted[slot] = value
            } else if let index = rest.firstIndex(where: { $0.key == key }) {
                rest[index].value = value
            } else {
                rest.append((key, value))
            }
        }
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
