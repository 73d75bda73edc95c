import Tracing

/// A span's place in its trace, as W3C Trace Context carries it (`traceparent`, `tracestate`).
public struct SpanIdentity: Sendable, Hashable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// The `sampled` flag: the trace is recorded.
    public var isSampled: Bool
    public var traceState: String?

    /// `tracestate` longer than this is dropped rather than carried (W3C allows 32 members).
    static let longestTraceState = 512

    /// The `traceparent` header's value: `00-<trace id>-<span id>-<flags>`.
    public var traceparent: String {
        "00-\(traceID.hex)-\(spanID.hex)-\(isSampled ? "01" : "00")"
    }

    /// Reads a `traceparent` header; nil when it is not one (W3C Trace Context, level 1: a
    /// later version is read by its first four fields).
    public init?(traceparent: String) {
        let bytes = Array(traceparent.utf8)
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
            let version = Hex.value(bytes[0..<2]), version != 0xff, version != 0 || bytes.count == 55,
            bytes.count == 55 || bytes[55] == UInt8(ascii: "-"),
            let high = Hex.value(bytes[3..<19]), let low = Hex.value(bytes[19..<35]), high | low != 0,
            let span = Hex.value(bytes[36..<52]), span != 0, let flags = Hex.value(bytes[53..<55])
        else { return nil }
        self.init(traceID: TraceID(high: high, low: low), spanID: SpanID(span), isSampled: flags & 1 == 1)
    }

    public init(traceID: TraceID, spanID: SpanID, isSampled: Bool, traceState: String? = nil) {
        self.traceID = traceID
        self.spanID = spanID
        self.isSampled = isSampled
        self.traceState = traceState
    }
}

/// 16 random bytes naming a trace.
public struct TraceID: Sendable, Hashable {
    public let high: UInt64
    public let low: UInt64

    public var hex: String { Hex.string(high, low) }
}

/// 8 random bytes naming a span.
public struct SpanID: Sendable, Hashable {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public var hex: String { Hex.string(value) }
}

private enum SpanIdentityKey: ServiceContextKey {
    typealias Value = SpanIdentity
    static var nameOverride: String? { "galley.span" }
}

extension ServiceContext {
    /// The span the work in this context belongs to, or the caller's when none started yet.
    public internal(set) var spanIdentity: SpanIdentity? {
        get { self[SpanIdentityKey.self] }
        set { self[SpanIdentityKey.self] = newValue }
    }
}

/// Lowercase hexadecimal, as W3C Trace Context and the logs write ids.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func string(_ words: UInt64...) -> String {
        String(unsafeUninitializedCapacity: words.count * 16) { buffer in
            var index = 0
            for word in words {
                for shift in stride(from: 60, through: 0, by: -4) {
                    buffer[index] = digits[Int((word >> UInt64(shift)) & 0xf)]
                    index += 1
                }
            }
            return index
        }
    }

    /// The value of at most 16 lowercase hex digits; nil for anything else.
    static func value(_ digits: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for digit in digits {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(digit - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(digit - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return value
    }
}
