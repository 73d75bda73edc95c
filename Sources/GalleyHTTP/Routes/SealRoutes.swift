import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// The audit seals and the keys that sign them, for anyone, without a token: they hold
/// hashes, counts and public keys only (docs/audit.md, "Signed seals").
struct SealRoutes {
    let services: GalleyServices

    func register(on router: Router<GalleyRequestContext>) {
        router.get(".well-known/galley-seal-key", use: keys)
        router.get("content/v1/seals/latest") { _, _ in try Reply(.ok, SealDTO(try await services.audit.latestSeal())) }
        router.get("content/v1/seals/:id", use: seal)
    }

    @Sendable func keys(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        guard let ring = services.audit.sealKeys() else {
            throw Problem.notFound("This server does not sign its audit seals: it has no seal key (GALLEY_SEAL_KEY).")
        }
        return Reply(status: .ok, body: ring.json(), headers: [.contentType: "application/jwk-set+json"])
    }

    @Sendable func seal(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        guard let text = context.parameters.get("id"), let id = Int(text), id >= 1 else {
            throw Problem.notFound("No seal \(context.parameters.get("id") ?? "") exists; seals are numbered 1, 2, 3… (or ask for `latest`).")
        }
        return try Reply(.ok, SealDTO(try await services.audit.publishedSeal(id: id)))
    }
}
