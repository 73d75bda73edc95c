import Foundation
import GalleyCore
import Postgres

/// Checkpoints, verdicts and claims: the human verification of a revision.
public struct ReviewService: Sendable {
    let env: GalleyEnvironment

    /// Required checkpoints and where each stands on the current revision.
    public func checkpoints(_ id: UUID, by caller: Caller) async throws -> (revision: Int, statuses: [CheckpointStatus]) {
        try caller.principal.require(.readArticles)
        return try await env.read { conn in
            let article = try ArticleStore.fetch(conn, id: id)
            let (revision, review) = try ReviewFacts.load(conn, currentRevisionOf: article)
            return (revision.number, review.statuses)
        }
    }

    public struct VerdictInput: Sendable {
        public var checkpoint: String
        public var verdict: Verdict
        public var revision: Int
        public var note: String
        public var evidence: [Evidence]

        public init(checkpoint: String, verdict: Verdict, revision: Int, note: String = "", evidence: [Evidence] = []) {
            self.checkpoint = checkpoint
            self.verdict = verdict
            self.revision = revision
            self.note = note
            self.evidence = evidence
        }
    }

    /// Records a verdict on the current revision's exact text.
    public func record(_ input: VerdictInput, on id: UUID, expectedVersion: ExpectedVersion? = nil, by caller: Caller) async throws -> Verification {
        try await withOperationSpan("verdict.record") {
            try await env.tallies.counting("verdict", input.verdict.rawValue) {
                try await write(input, on: id, expectedVersion: expectedVersion, by: caller)
            }
        }
    }

    private func write(_ input: VerdictInput, on id: UUID, expectedVersion: ExpectedVersion?, by caller: Caller) async throws -> Verification {
        let principal = caller.principal
        // Who may waive is the workflow policy's to say, per checkpoint (`VerdictRules`).
        try principal.require(.recordVerification)
        guard let actorID = principal.actorID else {
            throw GalleyError.forbidden(permission: Permission.recordVerification.rawValue, reason: "verdicts need a named person")
        }
        let note = input.note.trimmingWhiteSpace()
        let problems =
            VerdictRules.inputProblems(verdict: input.verdict, note: note)
            + [Validation.nulProblem("note", note), Validation.revisionProblem("revision", input.revision)].compactMap { $0 }
            + Evidence.problems(input.evidence)
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let now = env.now()
        let verificationID = env.newID()
        let known = env.articleReads.knownRevisions(of: id)
        return try await env.transaction { conn in
            // The article's detail (locked) and the revision's claims, then the writes with the
            // version bump and COMMIT: two round trips.
            let (facts, review) = try ReviewFacts.lockAndLoad(conn, id: id, known: known)
            let (article, revision) = (facts.detail.article, facts.detail.current)
            try expectedVersion?.check(article.version)
            try principal.requireDesk(article.section, for: .recordVerification)
            guard let rule = review.required.first(where: { $0.checkpoint == input.checkpoint }) else {
                let names = review.required.map(\.checkpoint).joined(separator: ", ")
                throw GalleyError.validation([
                    .init(field: "checkpoint", message: "\(input.checkpoint) is not required for this article (required: \(names))")
                ])
            }
            try VerdictRules.check(
                .init(
                    verdict: input.verdict, rule: rule, origin: article.origin, state: article.state, revision: revision.number,
                    roles: principal.effectiveRoles, isAuthor: revision.authorID == actorID, blockingClaims: review.blockingClaims))
            guard input.revision == article.currentRevision else {
                throw GalleyError.conflict(
                    "Revision \(input.revision) is not the current revision (\(article.currentRevision)); verify the current text.")
            }
            let event = AuditEntry(
                chain: AuditEntry.chain(article: id), principal: principal, action: "verification.recorded", articleID: id,
                revision: revision.number, fromState: article.state.rawValue, toState: article.state.rawValue,
                reason: note.isEmpty ? nil : note,
                details: [
                    "checkpoint": .string(input.checkpoint), "verdict": .string(input.verdict.rawValue),
                    "content_hash": .string(revision.content.contentHash),
                    "verification_id": .string(verificationID.uuidString.lowercased()),
                    "evidence": .array(input.evidence.map { .string($0.url) }),
                ],
                requestID: caller.requestID, at: now)
            let recorded = RecordedVerdict(
                checkpoint: input.checkpoint, verdict: input.verdict, contentHash: revision.content.contentHash,
                actorName: principal.name, recordedAt: now)
            let (_, verification, _, _) = try conn.readCommitting(
                ArticleStore.touching(id, at: now),
                ReviewStore.insertVerification(
                    id: verificationID, articleID: id, revision: revision.number, checkpoint: input.checkpoint,
                    verdict: input.verdict, contentHash: revision.content.contentHash, actorID: actorID, note: note,
                    evidence: input.evidence, at: now),
                AuditStore.appending(event),
                ArticleStore.alongside(id, Self.queueChanges(after: recorded, on: facts, at: now)))
            return verification
        }
    }

    /// A verdict does its checkpoint's assigned step; on an article in review, the open steps
    /// become those of its checkpoints with the verdict counted.
    private static func queueChanges(after verdict: RecordedVerdict, on facts: DetailFacts, at now: Date) -> [SQL] {
        let (article, revision) = (facts.detail.article, facts.detail.current)
        let ending = AssignmentStore.ending([verdict.checkpoint], as: .done, from: "a", at: now)
        guard article.state == .inReview else { return [ending] }
        let checkpoints = ReviewFacts.statuses(article: article, revision: revision, policy: facts.policy, verdicts: facts.verdicts + [verdict])
        let steps = WorkQueue.openSteps(state: .inReview, origin: article.origin, checkpoints: checkpoints, author: revision.author)
        return [ending] + QueueStore.settingSteps(steps, from: "a", at: now)
    }

    /// The article's verdicts, oldest first: all of them, or only the `newest` so many.
    public func verifications(_ id: UUID, newest limit: Int? = nil, by caller: Caller) async throws -> [Verification] {
        try caller.principal.require(.readArticles)
        return try await env.read { conn in
            _ = try ArticleStore.fetch(conn, id: id)
            return try ReviewStore.verifications(conn, articleID: id, newest: limit)
        }
    }

    // MARK: Claims

    public func addClaim(text: String, revision: Int, on id: UUID, expectedVersion: ExpectedVersion? = nil, by caller: Caller) async throws -> Claim {
        try caller.principal.require(.writeClaims)
        guard let actorID = caller.principal.actorID else {
            throw GalleyError.forbidden(permission: Permission.writeClaims.rawValue, reason: "claims need a named person")
        }
        let text = text.trimmingWhiteSpace()
        if text.utf8.contains(0) { throw GalleyError.validation([.init(field: "text", message: Validation.nulRequirement)]) }
        if text.isEmpty || text.count > 2_000 {
            throw GalleyError.validation([.init(field: "text", message: "must be 1 to 2,000 characters")])
        }
        if let problem = Validation.revisionProblem("revision", revision) { throw GalleyError.validation([problem]) }
        let now = env.now()
        let claimID = env.newID()
        return try await env.transaction { conn in
            let article = try ArticleStore.lockAndTouch(conn, id: id, expectedVersion: expectedVersion, at: now)
            try caller.principal.requireDesk(article.section, for: .writeClaims)
            guard revision == article.currentRevision else {
                throw GalleyError.conflict("Revision \(revision) is not the current revision (\(article.currentRevision)).")
            }
            let claim = try ReviewStore.insertClaim(conn, id: claimID, articleID: id, revision: revision, text: text, actorID: actorID, at: now)
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.chain(article: id), principal: caller.principal, action: "claim.added", articleID: id,
                    revision: revision, fromState: article.state.rawValue, toState: article.state.rawValue,
                    details: ["claim_id": .string(claimID.uuidString.lowercased()), "text": .string(text), "status": "unverified"],
                    requestID: caller.requestID, at: now))
            return claim
        }
    }

    public func updateClaim(
        _ claimID: UUID, on id: UUID, status: ClaimStatus, evidence: [Evidence]?, expectedVersion: ExpectedVersion? = nil, by caller: Caller
    ) async throws -> Claim {
        try caller.principal.require(.writeClaims)
        guard let actorID = caller.principal.actorID else {
            throw GalleyError.forbidden(permission: Permission.writeClaims.rawValue, reason: "claims need a named person")
        }
        let problems = Evidence.problems(evidence ?? [])
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let now = env.now()
        return try await env.transaction { conn in
            let article = try ArticleStore.lockAndTouch(conn, id: id, expectedVersion: expectedVersion, at: now)
            try caller.principal.requireDesk(article.section, for: .writeClaims)
            let (before, claim) = try ReviewStore.updateClaim(
                conn, id: claimID, articleID: id, status: status, evidence: evidence, actorID: actorID, at: now)
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.chain(article: id), principal: caller.principal, action: "claim.updated", articleID: id,
                    revision: claim.revision, fromState: article.state.rawValue, toState: article.state.rawValue,
                    details: [
                        "claim_id": .string(claimID.uuidString.lowercased()), "from_status": .string(before.rawValue),
                        "to_status": .string(status.rawValue), "evidence": .array(claim.evidence.map { .string($0.url) }),
                    ],
                    requestID: caller.requestID, at: now))
            return claim
        }
    }

    public func claims(_ id: UUID, by caller: Caller) async throws -> [Claim] {
        try caller.principal.require(.readArticles)
        return try await env.read { conn in
            _ = try ArticleStore.fetch(conn, id: id)
            return try ReviewStore.claims(conn, articleID: id)
        }
    }

    /// The claims of the article's current revision, oldest first, at most `limit`.
    public func currentClaims(_ id: UUID, limit: Int, by caller: Caller) async throws -> [Claim] {
        try caller.principal.require(.readArticles)
        return try await env.read { conn in
            _ = try ArticleStore.fetch(conn, id: id)
            return try conn.read(ReviewStore.claims(articleID: id, revision: ArticleStore.currentRevision(of: id), limit: limit))
        }
    }
}
