import Foundation
import Postgres

/// A chain's name as a fixed-size key: its bytes in place, NUL-padded (text holds no NUL).
/// Every chain Galley writes is at most 47 bytes (`generation:` and a UUID); a key costs no
/// allocation, where a million String keys cost a million.
struct ChainName: Hashable, Sendable {
    static let capacity = 48
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0, w4: UInt64 = 0, w5: UInt64 = 0

    /// Nil for a name longer than `capacity` bytes.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= Self.capacity else { return nil }
        withUnsafeMutableBytes(of: &self) { key in
            if let base = bytes.baseAddress { key.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
        }
    }

    var text: String {
        withUnsafeBytes(of: self) { key in
            String(decoding: key.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// Every chain met in a verification, by name: how far it has been checked (its last
/// position and hash), held in flat arrays so that a million chains cost a few allocations.
struct ChainTable: Sendable {
    /// The longest hash kept in place; a longer one (only an altered event's) is kept aside.
    private static let hashCapacity = 64

    private var indexByName: [ChainName: Int32] = [:]
    /// Names longer than `ChainName.capacity` (none that Galley writes).
    private var indexByLongName: [String: Int32] = [:]
    private var names: [String?] = []
    private var keys: [ChainName?] = []
    private var seqs: [Int] = []
    private var hashes: [UInt8] = []
    private var hashCounts: [UInt8] = []
    private var longHashes: [Int: [UInt8]] = [:]

    var count: Int { seqs.count }

    /// The chain's index, added at position 0 (no events yet) when new.
    mutating func index(of chain: UnsafeBufferPointer<UInt8>) -> Int {
        if let key = ChainName(chain) {
            if let index = indexByName[key] { return Int(index) }
            indexByName[key] = Int32(count)
            keys.append(key)
            names.append(nil)
        } else {
            let name = String(decoding: chain, as: UTF8.self)
            if let index = indexByLongName[name] { return Int(index) }
            indexByLongName[name] = Int32(count)
            keys.append(nil)
            names.append(name)
        }
        seqs.append(0)
        hashes.append(contentsOf: repeatElement(0, count: Self.hashCapacity))
        hashCounts.append(0)
        return count - 1
    }

    mutating func index(of chain: String) -> Int { withUTF8(chain) { index(of: $0) } }

    /// The chain's index, or nil when it was never met.
    func existingIndex(of chain: UnsafeBufferPointer<UInt8>) -> Int? {
        if let key = ChainName(chain) { return indexByName[key].map(Int.init) }
        return indexByLongName[String(decoding: chain, as: UTF8.self)].map(Int.init)
    }

    func existingIndex(of chain: String) -> Int? { withUTF8(chain) { existingIndex(of: $0) } }

    func name(_ index: Int) -> String { keys[index]?.text ?? names[index] ?? "" }

    func seq(_ index: Int) -> Int { seqs[index] }

    func withHash<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let long = longHashes[index] { return long.withUnsafeBufferPointer(body) }
        return hashes.withUnsafeBufferPointer { all in
            let start = index * Self.hashCapacity
            return body(UnsafeBufferPointer(rebasing: all[start..<start + Int(hashCounts[index])]))
        }
    }

    /// Moves the chain on to the event at `seq` with `hash`.
    mutating func move(_ index: Int, to seq: Int, hash: UnsafeBufferPointer<UInt8>) {
        seqs[index] = seq
        if hash.count <= Self.hashCapacity {
            if !longHashes.isEmpty { longHashes[index] = nil }
            hashCounts[index] = UInt8(hash.count)
            guard let base = hash.baseAddress else { return }
            hashes.withUnsafeMutableBufferPointer { all in
                (all.baseAddress! + index * Self.hashCapacity).update(from: base, count: hash.count)
            }
        } else {
            longHashes[index] = Array(hash)
        }
    }
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

/// Chain heads, for `AuditVerifier.finish`.
protocol ChainHeadList {
    var count: Int { get }
    func seq(_ index: Int) throws -> Int
    func head(_ index: Int) throws -> AuditVerifier.Head
    func sameHash(_ index: Int, as hash: UnsafeBufferPointer<UInt8>) -> Bool
    func withChain<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result
}

extension Array: ChainHeadList where Element == AuditVerifier.Head {
    func seq(_ index: Int) -> Int { self[index].seq }
    func head(_ index: Int) -> AuditVerifier.Head { self[index] }
    func sameHash(_ index: Int, as hash: UnsafeBufferPointer<UInt8>) -> Bool { withUTF8(self[index].hash) { sameText($0, hash) } }
    func withChain<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result { withUTF8(self[index].chain, body) }
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

    func sameHash(_ index: Int, as hash: UnsafeBufferPointer<UInt8>) -> Bool { same(index, Column.hash, hash) }

    func withChain<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        rows.withBytes(row: index, column: Column.chain) { body($0 ?? UnsafeBufferPointer(start: nil, count: 0)) }
    }

    private func same(_ index: Int, _ column: Int, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        rows.withBytes(row: index, column: column) { sameText($0 ?? UnsafeBufferPointer(start: nil, count: 0), other) }
    }

    /// The heads whose verified position differs from them.
    func unverified() throws -> [AuditVerifier.Head] {
        try (0..<count).filter { try !rows[$0].decode(at: Column.verified, as: Bool.self) }.map(head)
    }
}
