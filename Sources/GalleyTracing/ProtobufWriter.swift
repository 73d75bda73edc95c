/// The protocol buffers wire format, as far as OTLP's messages need it: varints, fixed-width
/// numbers and length-delimited fields. A nested message is written into a writer of its own
/// and then framed, which costs a copy a level and is paid by the exporter, not by requests.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    private mutating func key(_ field: UInt64, _ type: WireType) { varint(field << 3 | type.rawValue) }

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func varint(_ field: UInt64, _ value: UInt64) {
        key(field, .varint)
        varint(value)
    }

    mutating func int64(_ field: UInt64, _ value: Int64) { varint(field, UInt64(bitPattern: value)) }

    mutating func bool(_ field: UInt64, _ value: Bool) { varint(field, value ? 1 : 0) }

    mutating func fixed64(_ field: UInt64, _ value: UInt64) {
        key(field, .fixed64)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func fixed32(_ field: UInt64, _ value: UInt32) {
        key(field, .fixed32)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func double(_ field: UInt64, _ value: Double) { fixed64(field, value.bitPattern) }

    mutating func bytes(_ field: UInt64, _ value: some Collection<UInt8>) {
        key(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: UInt64, _ value: String) { bytes(field, value.utf8) }

    /// Big-endian, as OTLP carries trace and span ids.
    mutating func id(_ field: UInt64, _ words: UInt64...) {
        var id: [UInt8] = []
        for word in words { withUnsafeBytes(of: word.bigEndian) { id.append(contentsOf: $0) } }
        bytes(field, id)
    }

    mutating func message(_ field: UInt64, _ write: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        write(&nested)
        bytes(field, nested.bytes)
    }
}
