import Crypto
import Dispatch
import Foundation
import Postgres
import Synchronization

/// One batch of audit events, read as the server's bytes. Verification hashes
/// every event, and making Strings of sixteen columns per event cost more than the hashing,
/// so the canonical form is built from the result's bytes and hashed on every core.
struct AuditBatch: Sendable {
    /// Events per batch.
    static let limit = 20_000

    let rows: PostgresRows

    var count: Int { rows.count }

    /// Where the next batch in chain order starts; nil when this one is empty.
    func end() throws -> (chain: String, seq: Int)? {
        guard let last = rows.last else { return nil }
        return (try last.decode(at: Column.chain), try seq(count - 1))
    }

    /// An event's position in its chain.
    func seq(_ row: Int) throws -> Int {
        guard let seq = try rows.integer(row: row, column: Column.seq) else {
            throw PostgresError(kind: .decoding, message: "an audit event without seq", statement: nil)
        }
        return seq
    }

    /// Whether a column's bytes are the same text as `other` (`sameText`).
    func same(_ row: Int, _ column: Int, as other: [UInt8]) -> Bool {
        other.withUnsafeBufferPointer { other in same(row, column, as: other) }
    }

    private func same(_ row: Int, _ column: Int, as other: UnsafeBufferPointer<UInt8>) -> Bool {
        rows.withBytes(row: row, column: column) { sameText($0 ?? UnsafeBufferPointer(start: nil, count: 0), other) }
    }

    /// A column's bytes, empty for NULL.
    func bytes(_ row: Int, _ column: Int) -> [UInt8] {
        rows.withBytes(row: row, column: column) { Array($0 ?? UnsafeBufferPointer(start: nil, count: 0)) }
    }

    /// The id of the last event, where the next batch in id order starts; nil when empty.
    func lastID() throws -> Int? {
        guard count > 0 else { return nil }
        return try rows.integer(row: count - 1, column: Column.id)
    }

    /// For each event, whether its stored hash matches its content, computed on every core
    /// (Dispatch's threads, not the cooperative pool: this runs on a connection's thread):
    /// events are independent here; the links between them are checked in order afterwards.
    func hashMatches() -> [Bool] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 1_000))
        let size = (count + parts - 1) / parts
        let results = Mutex([[Bool]](repeating: [], count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let matches = hashMatches((part * size)..<min(count, (part + 1) * size))
            results.withLock { $0[part] = matches }
        }
        return Array(results.withLock { $0 }.joined())
    }

    private func hashMatches(_ range: Range<Int>) -> [Bool] {
        var canonical: [UInt8] = []
        var computed: [UInt8] = []
        canonical.reserveCapacity(1024)
        return range.map { row in
            canonical.removeAll(keepingCapacity: true)
            appendCanonical(row, to: &canonical)
            AuditVerifier.hex(SHA256.hash(data: canonical), into: &computed)
            return same(row, Column.hash, as: computed)
        }
    }

    /// `galley-audit/1`, then each field as `<UTF-8 byte count>:<text>` or `~` for NULL, one a
    /// line, as `galley_audit_canonical` in sql/0003_audit.sql. seq and the time (whole
    /// microseconds since 1970) arrive as binary numbers, written as their decimal text;
    /// one that cannot be read is left out, so the event does not match its hash.
    func appendCanonical(_ row: Int, to out: inout [UInt8]) {
        func number(_ value: Int?) {
            if let value { appendDecimal(value, to: &out) }
        }
        func field(_ column: Int) {
            rows.withBytes(row: row, column: column) { bytes in
                if let bytes {
                    appendDecimal(bytes.count, to: &out)
                    out.append(UInt8(ascii: ":"))
                    out.append(contentsOf: bytes)
                } else {
                    out.append(UInt8(ascii: "~"))
                }
            }
            out.append(UInt8(ascii: "\n"))
        }
        out.append(contentsOf: Self.version)
        field(Column.chain)
        number(try? rows.integer(row: row, column: Column.seq))
        out.append(UInt8(ascii: "\n"))
        field(Column.prevHash)
        for column in Column.fields { field(column) }
        number(try? rows.microsecondsSince1970(row: row, column: Column.at))
    }

    private static let version = Array("galley-audit/1\n".utf8)

    private func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        // Most fields are shorter than 1,000 bytes.
        if value >= 0 && value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
        } else if value >= 0 && value < 100 {
            out.append(UInt8(ascii: "0") + UInt8(value / 10))
            out.append(UInt8(ascii: "0") + UInt8(value % 10))
        } else {
            // Digits from the last, of the magnitude (which Int.min's would overflow as an Int).
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            var count = 0
            var rest = value.magnitude
            withUnsafeMutableBytes(of: &digits) { buffer in
                repeat {
                    buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                    count += 1
                } while rest > 0
            }
            if value < 0 { out.append(UInt8(ascii: "-")) }
            withUnsafeBytes(of: &digits) { buffer in
                for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
            }
        }
    }
}
