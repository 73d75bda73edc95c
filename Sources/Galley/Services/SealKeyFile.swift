import Foundation
import GalleyCore
import Synchronization

/// The file that holds the seal keys (`GALLEY_SEAL_KEY`): a `SealKeyRing` as JSON, readable by
/// its owner only (mode 0600). It is read again whenever it changes, so a server signs with
/// the new key from its next seal after `galley keys rotate`, without a restart.
public final class SealKeyFile: Sendable {
    public let path: String
    private let loaded = Mutex<(stamp: Stamp, ring: SealKeyRing)?>(nil)

    private struct Stamp: Equatable {
        let modified: Date
        let size: Int
    }

    public init(path: String) {
        self.path = path
    }

    /// The keys as the file holds them now.
    public func ring() throws -> SealKeyRing {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw GalleyError.notFound(kind: "seal key file", id: path)
        }
        let stamp = Stamp(
            modified: attributes[.modificationDate] as? Date ?? .distantPast, size: (attributes[.size] as? NSNumber)?.intValue ?? 0)
        if let loaded = loaded.withLock({ $0 }), loaded.stamp == stamp { return loaded.ring }
        guard let data = FileManager.default.contents(atPath: path), let ring = SealKeyRing.parse(data), !ring.keys.isEmpty else {
            throw GalleyError.validation([.init(field: "GALLEY_SEAL_KEY", message: "\(path) is not a seal key file written by `galley keys init`")])
        }
        loaded.withLock { $0 = (stamp, ring) }
        return ring
    }

    /// Creates the file with a new key; refuses when it exists, whatever it holds.
    public func create(now: Date) throws -> SealKeyRing {
        let ring = SealKeyRing.new(now: now)
        // O_EXCL: never overwrite, even a file made a moment ago by someone else.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw GalleyError.conflict(
                    "\(path) already exists and is never overwritten; `galley keys rotate` replaces its signing key, keeping the old public keys")
            }
            throw GalleyError.validation([.init(field: "GALLEY_SEAL_KEY", message: "\(path) cannot be created: \(String(cString: strerror(errno)))")])
        }
        try write(ring.json(), to: descriptor)
        return ring
    }

    /// Replaces the signing key with a new one; the old public keys stay listed.
    public func rotate(now: Date) throws -> SealKeyRing {
        let ring = try self.ring().rotated(now: now)
        // A new file beside it, renamed over it: a reader sees the old ring or the new one.
        let temporary = path + ".new"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw GalleyError.validation([
                .init(field: "GALLEY_SEAL_KEY", message: "\(temporary) cannot be created: \(String(cString: strerror(errno)))")
            ])
        }
        try write(ring.json(), to: descriptor)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw GalleyError.validation([.init(field: "GALLEY_SEAL_KEY", message: "\(path) cannot be replaced: \(String(cString: strerror(errno)))")]
            )
        }
        return ring
    }

    private func write(_ data: Data, to descriptor: Int32) throws {
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0 else {
            throw GalleyError.validation([
                .init(field: "GALLEY_SEAL_KEY", message: "\(path) could not be written: \(String(cString: strerror(errno)))")
            ])
        }
    }
}
