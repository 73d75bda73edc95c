import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird

/// Transitions, checkpoints, claims, history and provenance of one article.
struct ReviewRoutes {
    let services: GalleyServices
    let metrics: HTTPMetrics

    func register(on group: RouterGroup<GalleyRequestContext>) {
        group.get("articles/:id/checkpoints", use: checkpoints)
        group.post("articles/:id/checkpoints", use: recordVerdict)
        group.get("articles/:id/claims", use: claims)
        group.post("articles/:id/claims", use: addClaim)
        group.patch("articles/:id/claims/:claim_id", use: updateClaim)
        group.get("articles/:id/history", use: history)
        group.get("articles/:id/provenance", use: provenance)
    }

    /// Routes outside `AuthMiddleware` that authenticate in the round trip of their first
    /// statement when they can: a transition is the most frequent write.
    func registerAuthenticatingThemselves(on group: RouterGroup<GalleyRequestContext>) {
        group.post("articles/:id/transitions", use: transition)
    }

    /// The token is checked in the statement that writes, when the server has met the token
    /// and can decide without reading first (`TransitionService.perform(_:on:as:…)`). A
    /// token the server has not met is checked first, before the body is read, as behind
    /// `AuthMiddleware`; so is every request with an `Idempotency-Key` (its stored reply is the
    /// caller's), and every request refused before the write.
    @Sendable func transition(_ request: Request, context: GalleyRequestContext) async throws -> Reply {
        enum Bearer {
            case met(MetToken)
            case authenticated(Caller)
        }
        let token = try AuthMiddleware.bearerToken(in: request)
        var context = context
        let bearer: Bearer
        if request.headers[.idempotencyKey] == nil, let met = services.actors.met(token: token) {
            bearer = .met(met)
        } else {
            bearer = .authenticated(try await AuthMiddleware.authenticate(token, services: services, context: &context))
        }
        let (id, transition, body): (UUID, TransitionService.Request, Data)
        do {
            (id, transition, body) = try await Self.transitionRequest(request, context: context)
        } catch {
            if case .met = bearer { _ = try await AuthMiddleware.authenticate(token, services: services, context: &context) }
            throw error
        }
        func answer(_ detail: ArticleDetail) throws -> Reply {
            metrics.transition(transition.action.rawValue)
            return try Reply(.ok, ArticleDTO(detail), headers: etag(detail.article.version))
        }
        switch bearer {
        case .met(let met):
            let logRecord = context.logRecord
            return try answer(
                await services.transitions.perform(transition, on: id, as: met, requestID: context.requestID) { caller in
                    logRecord.actor = caller.principal.name
                })
        case .authenticated(let caller):
            return try await idempotent(request, context: context, body: body, services: services) {
                try answer(await services.transitions.perform(transition, on: id, by: caller))
            }
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
                .init(checkpoint: input.checkpoint, verdict: verdict, revision: input.revision, note: input.note ?? "",
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
                ClaimDTO(try await services.review.addClaim(text: input.text, revision: input.revision, on: id, expectedVersion: expected, by: caller)))
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
        let claim = try await services.review.updateClaim(claimID, on: id, status: status, evidence: input.evidence?.map(\.evidence), expectedVersion: expected, by: caller)
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
