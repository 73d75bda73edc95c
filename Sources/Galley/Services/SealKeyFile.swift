import Foundation
import GalleyCore
import Synchronization

/// The file that holds the seal keys (`GALLEY_SEAL_KEY`): a `SealKeyRing` as JSON, readable and
/// writable by its owner only (mode 0600, or stricter), which is enforced: a file that group or
/// others may read or write is refused. It is read again whenever it changes, so a server signs
/// with the new key from its next seal after `galley keys rotate`, without a restart.
public final class SealKeyFile: Sendable {
    public let path: String
    private let loaded = Mutex<(stamp: Stamp, ring: SealKeyRing, publicSet: SealKeyRing)?>(nil)
    /// Far above a key file's size after thousands of rotations (~200 bytes a key).
    static let maximumBytes = 1 << 20

    /// What tells that the file changed: a rotation renames a new file over it.
    private struct Stamp: Equatable {
        let device: UInt64
        let inode: UInt64
        let size: Int64
        let seconds: Int
        let nanoseconds: Int

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            seconds = Int(info.st_mtim.tv_sec)
            nanoseconds = Int(info.st_mtim.tv_nsec)
        }
    }

    public init(path: String) {
        self.path = path
    }

    /// The public keys as the file held them when last read (by `ring()`), without any file
    /// access: what is served to the public. Nil when it was never read.
    public var publicKeys: SealKeyRing? {
        loaded.withLock { $0?.publicSet }
    }

    /// The keys as the file holds them now; blocking file access (a `stat`, and a read when
    /// the file changed), so never on a request's way.
    public func ring() throws -> SealKeyRing {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw GalleyError.notFound(kind: "seal key file", id: path) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw problem("\(path) cannot be examined: \(String(cString: strerror(errno)))") }
        try Self.refuseShared(path, mode: info.st_mode)
        let stamp = Stamp(info)
        if let loaded = loaded.withLock({ $0 }), loaded.stamp == stamp { return loaded.ring }
        let data = info.st_size <= Self.maximumBytes ? try? FileHandle(fileDescriptor: descriptor).read(upToCount: Self.maximumBytes) : nil
        guard let data, let ring = SealKeyRing.parse(data), !ring.keys.isEmpty else {
            throw problem("\(path) is not a seal key file written by `galley keys init`")
        }
        loaded.withLock { $0 = (stamp, ring, ring.publicSet) }
        return ring
    }

    /// Refuses a file that anyone but its owner may read or write: its private key is the
    /// seals' whole worth.
    static func refuseShared(_ path: String, mode: mode_t) throws {
        let permissions = Int(mode) & 0o777
        guard permissions & 0o077 == 0 else {
            throw GalleyError.validation([
                .init(
                    field: "GALLEY_SEAL_KEY",
                    message: "\(path) has mode \(String(format: "%04o", permissions)), so others than its owner may read or change "
                        + "the private key that signs audit seals; make it its owner's only: `chmod 600 \(path)`")
            ])
        }
    }

    /// Creates the file with a new key; refuses when it exists, whatever it holds.
    public func create(now: Date) throws -> SealKeyRing {
        let ring = SealKeyRing.new(now: now)
        // O_EXCL: never overwrite, even a file made a moment ago by someone else.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw GalleyError.conflict(
                    "\(path) already exists and is never overwritten; `galley keys rotate` replaces its signing key, keeping the old public keys")
            }
            throw problem("\(path) cannot be created: \(String(cString: strerror(errno)))")
        }
        try write(ring.json(), to: descriptor, path)
        return ring
    }

    /// Replaces the signing key with a new one; the old public keys stay listed. The new file
    /// keeps the old one's mode and (when run as root) its owner, so the server that reads
    /// it still can, and no one else can.
    public func rotate(now: Date) throws -> SealKeyRing {
        let ring = try self.ring().rotated(now: now)
        var info = stat()
        guard stat(path, &info) == 0 else { throw problem("\(path) cannot be examined: \(String(cString: strerror(errno)))") }
        try Self.refuseShared(path, mode: info.st_mode)
        // A new file beside it, renamed over it: a reader sees the old ring or the new one.
        let temporary = path + ".new"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw problem("\(temporary) cannot be created: \(String(cString: strerror(errno)))") }
        guard fchmod(descriptor, info.st_mode & 0o777) == 0, geteuid() != 0 || fchown(descriptor, info.st_uid, info.st_gid) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(temporary)
            throw problem("\(temporary) cannot be given \(path)'s owner and mode: \(reason)")
        }
        do {
            try write(ring.json(), to: descriptor, temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw problem("\(path) cannot be replaced: \(reason)")
        }
        return ring
    }

    private func write(_ data: Data, to descriptor: Int32, _ name: String) throws {
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0 else {
            throw problem("\(name) could not be written: \(String(cString: strerror(errno)))")
        }
    }

    private func problem(_ message: String) -> GalleyError {
        .validation([.init(field: "GALLEY_SEAL_KEY", message: message)])
    }
}
