import Foundation
import GalleyCore
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes each log event as one line to standard error: as JSON (`JSONLogLine`) or, in the
/// text format, in swift-log's stream layout with a UTC timestamp to the millisecond, metadata sorted by key, and values quoted when they
/// hold spaces, quotes or control characters:
///
///     2026-11-26T05:28:46.123Z info galley: actor=eddie method=GET status=200 [GalleyHTTP] request
///
/// One `write(2)` a line, so lines from concurrent requests never interleave. Built for the
/// request log (one line per request): swift-log's `StreamLogHandler` read the time zone file
/// and re-rendered the metadata on every change, which cost more than the read it logged.
public struct LogLineHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider? {
        get { output.metadataProvider }
        set { output = Output(label: label, descriptor: output.descriptor, format: output.format, metadataProvider: newValue) }
    }
    // What is fixed when the handler is made, behind one reference: the handler then fits in
    // a `Logger`'s existential without a box of its own, and each request's logger (copied
    // to add its `request_id`) copies three words instead of allocating.
    private var output: Output
    private var label: String { output.label }

    private final class Output: Sendable {
        let label: String
        let descriptor: Int32
        let format: LogFormat
        let metadataProvider: Logger.MetadataProvider?

        init(label: String, descriptor: Int32, format: LogFormat, metadataProvider: Logger.MetadataProvider?) {
            self.label = label
            self.descriptor = descriptor
            self.format = format
            self.metadataProvider = metadataProvider
        }
    }

    public init(label: String, format: LogFormat = .text, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, descriptor: 2, format: format, metadataProvider: metadataProvider)
    }

    init(label: String, descriptor: Int32, format: LogFormat = .text, metadataProvider: Logger.MetadataProvider? = nil) {
        output = Output(label: label, descriptor: descriptor, format: format, metadataProvider: metadataProvider)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let provided = metadataProvider?.get()
        let line =
            switch output.format {
            case .text:
                Self.line(
                    at: Date(), level: event.level, label: label, metadata: merged(provided, event.metadata), source: event.source,
                    message: event.message.description)
            case .json:
                // Every request writes one: the layers are read in place, not merged into a copy.
                JSONLogLine.line(
                    at: Date(), level: event.level, label: label, metadata: metadata, provided: provided, event: event.metadata,
                    source: event.source, message: event.message.description)
            }
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(output.descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // nowhere to report a failing log; drop the line
                }
            }
        }
    }

    private func merged(_ provided: Logger.Metadata?, _ explicit: Logger.Metadata?) -> Logger.Metadata {
        var all = metadata
        if let provided, !provided.isEmpty { all.merge(provided) { _, new in new } }
        if let explicit, !explicit.isEmpty { all.merge(explicit) { _, new in new } }
        return all
    }

    static func line(
        at date: Date, level: Logger.Level, label: String, metadata: Logger.Metadata, source: String, message: String
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        appendTimestamp(date, to: &out)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: level.rawValue.utf8)
        if !label.isEmpty {
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: label.utf8)
        }
        out.append(UInt8(ascii: ":"))
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: key.utf8)
            out.append(UInt8(ascii: "="))
            appendValue(LogRedaction.redacted(value.description), to: &out)
        }
        out.append(contentsOf: " [".utf8)
        out.append(contentsOf: source.utf8)
        out.append(contentsOf: "] ".utf8)
        out.append(contentsOf: LogRedaction.redacted(message).utf8)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// A value as it is, or in double quotes with `"` and `\` escaped and control characters
    /// written as `\n`, `\t` or `\u{…}` when it is empty or would not read back as one word.
    static func appendValue(_ value: String, to out: inout [UInt8]) {
        let plain = !value.isEmpty && value.utf8.allSatisfy { $0 > 0x20 && $0 != UInt8(ascii: "\"") && $0 != 0x7F }
        if plain {
            out.append(contentsOf: value.utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: #"\""#.utf8)
            case "\\": out.append(contentsOf: #"\\"#.utf8)
            case "\n": out.append(contentsOf: #"\n"#.utf8)
            case "\t": out.append(contentsOf: #"\t"#.utf8)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".utf8)
            default: out.append(contentsOf: String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func appendTimestamp(_ date: Date, to out: inout [UInt8]) {
        out.append(contentsOf: timestamp(date).utf8)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`: the API's timestamp (`RFC3339.format`, which works
    /// on bytes rather than `localtime`/`strftime`) cut to milliseconds.
    static func timestamp(_ date: Date) -> String {
        var text = RFC3339.format(date)
        text.removeLast(4)  // in place: the string is ours alone
        text.append("Z")
        return text
    }
}
