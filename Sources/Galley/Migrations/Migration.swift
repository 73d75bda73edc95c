import Crypto
import Foundation

/// One numbered SQL file from `sql/`, e.g. `0001_foundation.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let script: String
    /// SHA-256 of the file's bytes, hex; an applied migration whose file changed is refused.
    public let checksum: String
    /// False when the file's first line is `-- galley: no-transaction`: its statements run one
    /// by one outside a transaction, as `CREATE INDEX CONCURRENTLY` must. Such a file is
    /// written to be run again after it fails half-way (docs/operations.md, "Migrations").
    public let isTransactional: Bool

    /// The first line that makes a migration non-transactional.
    public static let noTransactionMarker = "-- galley: no-transaction"

    public init(version: Int, name: String, script: String) {
        self.version = version
        self.name = name
        self.script = script
        self.checksum = SHA256.hash(data: Data(script.utf8)).map { String(format: "%02x", $0) }.joined()
        let firstLine = script.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        self.isTransactional = firstLine.trimmingCharacters(in: .whitespaces) != Self.noTransactionMarker
    }

    /// Reads every `NNNN_name.sql` file of a folder, ordered by number.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for file in files {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw MigrationError.badFileName(file)
            }
            let script = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(stem), script: script))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(previous.name, next.name)
        }
        return migrations
    }

    /// Finds `sql/`: `GALLEY_MIGRATIONS_DIR`, else `./sql`, else a `sql` folder above the
    /// executable (a build under `.build/…` of the checkout).
    public static func locateDirectory(environment: [String: String], executable: URL?) -> URL? {
        if let configured = environment["GALLEY_MIGRATIONS_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("sql")]
        if var folder = executable?.resolvingSymlinksInPath().deletingLastPathComponent() {
            for _ in 0..<5 {
                candidates.append(folder.appendingPathComponent("sql"))
                folder.deleteLastPathComponent()
            }
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("0001_foundation.sql").path) }
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case badFileName(String)
    case duplicateVersion(String, String)
    case checksumMismatch(String)
    case unknownApplied(String)
    case belowApplied(String, highestApplied: String)
    case directoryNotFound
    case lockTimeout(String, timeout: String, attempts: Int)
    case invalidIndexes(String, [String])

    public var description: String {
        switch self {
        case .badFileName(let file):
            "migration file \(file) is not named NNNN_name.sql; rename it"
        case .duplicateVersion(let a, let b):
            "migrations \(a) and \(b) share a number; renumber one of them"
        case .checksumMismatch(let name):
            "migration \(name) was changed after it was applied; restore the applied text and put the change in a new migration"
        case .unknownApplied(let name):
            "the database has migration \(name) applied but there is no such file; run a newer galley or restore the file"
        case .belowApplied(let file, let highest):
            "migration \(file) is not applied but is numbered below \(highest), the highest migration this database has applied, "
                + "so it would run after migrations written after it; renumber it above \(highest) (rename the file)"
        case .lockTimeout(let name, let timeout, let attempts):
            "migration \(name) waited longer than the lock timeout (\(timeout)) for a table in use, \(attempts) times, and was not applied; "
                + "run galley migrate again when the newsroom is quieter, or raise GALLEY_MIGRATION_LOCK_TIMEOUT"
        case .invalidIndexes(let name, let indexes):
            "migration \(name) left invalid indexes (\(indexes.joined(separator: ", "))): a concurrent index build failed half-way, "
                + "so the migration is not recorded as applied; fix the cause and run galley migrate again (docs/operations.md, \"Migrations\")"
        case .directoryNotFound:
            "cannot find the sql/ migrations folder; run from the project folder or set GALLEY_MIGRATIONS_DIR"
        }
    }
}
