import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// Transitions, checkpoints, claims, history and provenance of one article.
struct ReviewRoutes {
    let services: GalleyServices

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.post("articles/:id/transitions", use: transition)
        group.get("articles/:id/checkpoints", use: checkpoints)
        group.post("articles/:id/checkpoints", use: recordVerdict)
        group.get("articles/:id/claims", use: claims)
        group.post("articles/:id/claims", use: addClaim)
        group.patch("articles/:id/claims/:claim_id", use: updateClaim)
        group.get("articles/:id/history", use: history)
        group.get("articles/:id/provenance", use: provenance)
    }

    @Sendable func transition(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let (id, transition, body) = try await Self.transitionRequest(request, context: context)
        return try await idempotent(request, context: context, body: body, services: services) {
            let detail = try await services.transitions.perform(transition, on: id, by: caller)
            return try Reply(.ok, ArticleDTO(detail), headers: etag(detail.article.version))
        }
    }

    /// The article, the transition asked for, and the body it was read from.
    private static func transitionRequest(
        _ request: Request, context: GalleyRequestContext
    ) async throws -> (UUID, TransitionService.Request, Data) {
        let id = try request.id("id", context: context)
        let expected = try request.expectedVersion
        let (input, body) = try await request.decodeJSON(TransitionInput.self, context: context)
        guard let action = ArticleAction(rawValue: input.action), action != .edit else {
            let actions = ArticleAction.allCases.filter { $0 != .edit }.map(\.rawValue).joined(separator: ", ")
            throw Problem.invalid("action", "\(input.action) is not an action; use one of \(actions)")
        }
        let transition = TransitionService.Request(
            action, reason: input.reason, publishAt: input.publish_at, correctionNote: input.correction_note, notice: input.notice,
            expectedVersion: expected)
        return (id, transition, body)
    }

    @Sendable func checkpoints(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let (revision, statuses) = try await services.review.checkpoints(try request.id("id", context: context), by: try context.requireCaller())
        return try Reply(.ok, CheckpointsDTO(revision: revision, items: statuses.map(CheckpointDTO.init)))
    }

    @Sendable func recordVerdict(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context)
        let expected = try request.expectedVersion
        let (input, body) = try await request.decodeJSON(VerdictInput.self, context: context)
        guard let verdict = Verdict(rawValue: input.verdict) else {
            throw Problem.invalid("verdict", "must be passed, failed or waived")
        }
        return try await idempotent(request, context: context, body: body, services: services) {
            let verification = try await services.review.record(
                .init(
                    checkpoint: input.checkpoint, verdict: verdict, revision: input.revision, note: input.note ?? "",
                    evidence: (input.evidence ?? []).map(\.evidence)),
                on: id, expectedVersion: expected, by: caller)
            return try Reply(.created, VerificationDTO(verification))
        }
    }

    @Sendable func claims(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let claims = try await services.review.claims(try request.id("id", context: context), by: try context.requireCaller())
        return try Reply(.ok, ItemsDTO(items: claims.map(ClaimDTO.init)))
    }

    @Sendable func addClaim(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context)
        let expected = try request.expectedVersion
        let (input, body) = try await request.decodeJSON(ClaimInput.self, context: context)
        return try await idempotent(request, context: context, body: body, services: services) {
            try Reply(
                .created,
                ClaimDTO(
                    try await services.review.addClaim(text: input.text, revision: input.revision, on: id, expectedVersion: expected, by: caller)))
        }
    }

    @Sendable func updateClaim(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let caller = try context.requireCaller()
        let id = try request.id("id", context: context)
        let claimID = try request.id("claim_id", context: context, kind: "claim")
        let expected = try request.expectedVersion
        let (input, _) = try await request.decodeJSON(ClaimPatch.self, context: context)
        guard let status = ClaimStatus(rawValue: input.status) else {
            throw Problem.invalid("status", "must be unverified, verified, disputed or false")
        }
        let claim = try await services.review.updateClaim(
            claimID, on: id, status: status, evidence: input.evidence?.map(\.evidence), expectedVersion: expected, by: caller)
        return try Reply(.ok, ClaimDTO(claim))
    }

    @Sendable func history(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let events = try await services.audit.history(of: try request.id("id", context: context), by: try context.requireCaller())
        return try Reply(.ok, ItemsDTO(items: events.map(AuditEventDTO.init)))
    }

    @Sendable func provenance(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        let record = try await services.provenance.record(try request.id("id", context: context), by: try context.requireCaller())
        var reply = try Reply(.ok, ProvenanceDocument(record))
        reply.headers[.contentType] = "application/ld+json"
        return reply
    }
}
