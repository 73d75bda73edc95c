import Foundation
import Postgres

/// Where each chain read ended, in the order read: every chain's name and last hash in one
/// buffer, so that a million chains cost a few allocations, not millions.
struct ChainEnds: Sendable {
    private struct Entry: Sendable {
        let offset: Int
        let chainCount: Int32
        let hashCount: Int32
        let seq: Int
    }

    private var bytes: [UInt8] = []
    private var entries: [Entry] = []

    var count: Int { entries.count }

    mutating func append(chain: [UInt8], seq: Int, hash: [UInt8]) {
        entries.append(Entry(offset: bytes.count, chainCount: Int32(chain.count), hashCount: Int32(hash.count), seq: seq))
        bytes += chain
        bytes += hash
    }

    func seq(_ index: Int) -> Int { entries[index].seq }

    func withChain<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let entry = entries[index]
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[entry.offset..<entry.offset + Int(entry.chainCount)])) }
    }

    func withHash<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let entry = entries[index]
        let start = entry.offset + Int(entry.chainCount)
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<start + Int(entry.hashCount)])) }
    }

    func chain(_ index: Int) -> String { withChain(index) { String(decoding: $0, as: UTF8.self) } }
    func hash(_ index: Int) -> String { withHash(index) { String(decoding: $0, as: UTF8.self) } }
}

/// Whether two values are the same text. Equal bytes are equal text, and so are unequal
/// ASCII bytes unequal text; other unequal bytes are compared as Strings, as the checks
/// always did, so canonically equivalent text still counts as equal.
func sameText(_ bytes: UnsafeBufferPointer<UInt8>, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
    if bytes.count == other.count && (bytes.isEmpty || memcmp(bytes.baseAddress!, other.baseAddress!, bytes.count) == 0) { return true }
    guard bytes.contains(where: { $0 >= 0x80 }) || other.contains(where: { $0 >= 0x80 }) else { return false }
    return String(decoding: bytes, as: UTF8.self) == String(decoding: other, as: UTF8.self)
}

/// Calls `body` with a String's UTF-8 bytes.
func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    text.utf8.withContiguousStorageIfAvailable(body) ?? Array(text.utf8).withUnsafeBufferPointer(body)
}

/// Chain heads in chain order, for `AuditVerifier.finish`.
protocol ChainHeadList {
    var count: Int { get }
    func seq(_ index: Int) throws -> Int
    func head(_ index: Int) throws -> AuditVerifier.Head
    func sameChain(_ index: Int, as chain: UnsafeBufferPointer<UInt8>) -> Bool
    func sameHash(_ index: Int, as hash: UnsafeBufferPointer<UInt8>) -> Bool
}

extension Array: ChainHeadList where Element == AuditVerifier.Head {
    func seq(_ index: Int) -> Int { self[index].seq }
    func head(_ index: Int) -> AuditVerifier.Head { self[index] }
    func sameChain(_ index: Int, as chain: UnsafeBufferPointer<UInt8>) -> Bool { withUTF8(self[index].chain) { sameText($0, chain) } }
    func sameHash(_ index: Int, as hash: UnsafeBufferPointer<UInt8>) -> Bool { withUTF8(self[index].hash) { sameText($0, hash) } }
}

/// Every chain's head as the server's bytes (`AuditStore.chainHeads`), read without making
/// Strings of a million heads.
struct ChainHeadRows: ChainHeadList, Sendable {
    enum Column {
        static let chain = 0, seq = 1, hash = 2, verified = 3
    }

    let rows: PostgresRows

    var count: Int { rows.count }

    func seq(_ index: Int) throws -> Int { try rows[index].decode(at: Column.seq) }

    func head(_ index: Int) throws -> AuditVerifier.Head {
        let row = rows[index]
        return AuditVerifier.Head(chain: try row.decode(at: Column.chain), seq: try row.decode(at: Column.seq), hash: try row.decode(at: Column.hash))
    }

    func sameChain(_ index: Int, as chain: UnsafeBufferPointer<UInt8>) -> Bool { same(index, Column.chain, chain) }
    func sameHash(_ index: Int, as hash: UnsafeBufferPointer<UInt8>) -> Bool { same(index, Column.hash, hash) }

    private func same(_ index: Int, _ column: Int, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        rows.withBytes(row: index, column: column) { sameText($0 ?? UnsafeBufferPointer(start: nil, count: 0), other) }
    }

    /// The heads whose verified position differs from them.
    func unverified() throws -> [AuditVerifier.Head] {
        try (0..<count).filter { try !rows[$0].decode(at: Column.verified, as: Bool.self) }.map(head)
    }
}
