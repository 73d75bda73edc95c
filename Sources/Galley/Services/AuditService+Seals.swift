import Foundation
import GalleyCore
import Postgres
import Synchronization

/// Sealing the audit log, signing the seals, and publishing them (docs/audit.md).
extension AuditService {
    /// What one seal did.
    public struct SealResult: Sendable {
        /// The chain heads the seal lists: those that moved since the previous seal.
        public let heads: Int
        public let seal: PublishedSeal
    }

    /// Records a seal over the chain heads that moved since the previous seal and signs it
    /// with the signing key, in one transaction; nil when no head moved: `galley serve` seals
    /// every 10 seconds, and an idle newsroom has nothing to seal. Without a key
    /// (`GALLEY_SEAL_KEY` unset) the seal is recorded unsigned. With one, a seal is signed or
    /// not recorded at all, as verifiers refuse an unsigned seal made after signing began: a
    /// seal whose time falls outside the signing key's validity (a rotation racing the seal,
    /// or the database's clock behind the clock that made the key) fails and rolls back, and
    /// the next attempt (`galley serve` retries every 10 seconds) seals what moved.
    /// `unlessSealedWithin`: no seal when the last one is younger (the servers' sealers
    /// together seal once per interval).
    @discardableResult
    public func seal(unlessSealedWithin interval: Duration? = nil) async throws -> SealResult? {
        let seconds = interval.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        let keyFile = env.sealKey
        return try await env.transaction { conn in
            // Read here, on the connection's thread: a file read is blocking work.
            let ring = try keyFile.map { file in
                let ring = try file.ring()
                guard ring.signingKey != nil else {
                    throw GalleyError.validation([
                        .init(field: "GALLEY_SEAL_KEY", message: "\(file.path) holds no signing key; `galley keys rotate` makes one")
                    ])
                }
                return ring
            }
            guard let recorded = try AuditStore.seal(conn, unlessSealedWithin: seconds) else { return nil }
            let bytes = SealSignature.signedBytes(
                id: recorded.id, at: RFC3339.format(recorded.at), chains: recorded.chains, root: recorded.hash, prevHash: recorded.prevHash)
            var signature: (keyID: String, value: String)?
            if let ring, let signer = ring.signingKey {
                let key = ring.keys[0]
                guard key.wasSigning(at: recorded.at) else {
                    throw GalleyError.unavailable(
                        "the seal's time \(RFC3339.format(recorded.at)) is outside its signing key \(key.kid)'s validity (from \(key.not_before)); "
                            + "no seal is recorded unsigned while GALLEY_SEAL_KEY is set, and the next attempt seals what moved")
                }
                let value = try SealSignature.sign(bytes, with: signer.key)
                try AuditStore.recordSignature(conn, sealID: recorded.id, keyID: signer.id, signature: value)
                signature = (signer.id, value)
            }
            let seal = PublishedSeal(
                id: recorded.id, at: recorded.at, chains: recorded.chains, root: recorded.hash, prevHash: recorded.prevHash,
                signature: signature?.value, keyID: signature?.keyID, heads: nil)
            return SealResult(heads: recorded.heads, seal: seal)
        }
    }

    /// The newest seal; public, as it holds no more than hashes and counts.
    public func latestSeal() async throws -> PublishedSeal {
        guard let seal = try await env.read({ conn in try AuditStore.publishedSeal(conn, id: nil) }) else {
            throw GalleyError.notFound(kind: "seal", id: "latest")
        }
        return seal
    }

    /// One seal by its id; public.
    public func publishedSeal(id: Int) async throws -> PublishedSeal {
        guard let seal = try await env.read({ conn in try AuditStore.publishedSeal(conn, id: id) }) else {
            throw GalleyError.notFound(kind: "seal", id: String(id))
        }
        return seal
    }

    /// The public keys that sign (and signed) seals, or nil when this server has no key or
    /// could not read it (which its log says; the path is not for clients). From memory: the
    /// file is read at start and again, when it changed, at each seal (every 10 seconds).
    public func sealKeys() -> SealKeyRing? {
        env.sealKey?.publicKeys
    }

    /// Every seal with the heads it lists, oldest first, a batch at a time: what an offline
    /// verification (`galley audit verify --export`) checks an export against.
    public func sealExport(by caller: Caller, batchSize: Int = 1_000) throws -> AsyncThrowingStream<[PublishedSeal], any Error> {
        try caller.principal.require(.readAudit)
        let env = self.env
        let position = SealPosition()
        return AsyncThrowingStream {
            let after = position.lastID.withLock { $0 }
            let batch = try await env.read { conn in try AuditStore.publishedSeals(conn, afterID: after, limit: batchSize) }
            guard let last = batch.last else { return nil }
            position.lastID.withLock { $0 = last.id }
            return batch
        }
    }
}

private final class SealPosition: Sendable {
    let lastID = Mutex(0)
}
