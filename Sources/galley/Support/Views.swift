import Foundation
import Galley
import GalleyCore

// The JSON shapes of `--json` (keys become snake_case; absent optionals are omitted).

struct ArticleSummaryView: Encodable {
    @LowercaseUUID var id: UUID
    let slug: String
    let title: String
    let section: String
    let tags: [String]
    let origin: Origin
    let state: ArticleState
    let currentRevision: Int
    let liveRevision: Int?
    let publishAt: Date?
    let responsibleEditor: String?
    let version: Int
    let createdAt: Date
    let updatedAt: Date

    init(_ article: Article, title: String) {
        id = article.id
        slug = article.slug
        self.title = title
        section = article.section
        tags = article.tags
        origin = article.origin
        state = article.state
        currentRevision = article.currentRevision
        liveRevision = article.liveRevision
        publishAt = article.publishAt
        responsibleEditor = article.responsibleEditor
        version = article.version
        createdAt = article.createdAt
        updatedAt = article.updatedAt
    }
}

struct RevisionView: Encodable {
    let number: Int
    let title: String
    let dek: String
    let body: String
    let insight: String?
    let disclosure: String?
    let sources: [Source]
    let contentHash: String
    let author: String
    @OptionalLowercaseUUID var generationID: UUID?
    let digitalSourceType: DigitalSourceType?
    let createdAt: Date

    init(_ revision: Revision) {
        number = revision.number
        title = revision.content.title
        dek = revision.content.dek
        body = revision.content.body
        insight = revision.content.insight
        disclosure = revision.content.disclosure
        sources = revision.content.sources
        contentHash = revision.content.contentHash
        author = revision.author
        generationID = revision.generationID
        digitalSourceType = revision.digitalSourceType
        createdAt = revision.createdAt
    }
}

struct ArticleView: Encodable {
    let article: ArticleSummaryView
    let current: RevisionView
    let live: RevisionView?
    let checkpoints: [CheckpointStatus]

    init(_ detail: ArticleDetail) {
        article = ArticleSummaryView(detail.article, title: detail.current.content.title)
        current = RevisionView(detail.current)
        live = detail.live.map(RevisionView.init)
        checkpoints = detail.checkpoints
    }
}

struct ActorView: Encodable {
    @LowercaseUUID var id: UUID
    let name: String
    let displayName: String
    let kind: ActorKind
    let roles: [Role]
    let createdAt: Date

    init(_ actor: Actor) {
        id = actor.id
        name = actor.name
        displayName = actor.displayName
        kind = actor.kind
        roles = actor.roles
        createdAt = actor.createdAt
    }
}

struct TokenView: Encodable {
    @LowercaseUUID var id: UUID
    let actor: String
    let status: String
    let createdAt: Date
    let expiresAt: Date?
    let revokedAt: Date?

    init(_ token: TokenRecord, actor: String, now: Date = Date()) {
        id = token.id
        self.actor = actor
        status = token.revokedAt != nil ? "revoked" : (token.expiresAt.map { $0 <= now } ?? false) ? "expired" : "live"
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        revokedAt = token.revokedAt
    }
}

struct GenerationView: Encodable {
    @LowercaseUUID var id: UUID
    @OptionalLowercaseUUID var articleID: UUID?
    let status: GenerationStatus
    let model: String
    let modelVersion: String
    let promptVersion: String
    let parameters: JSONValue
    let sources: [Source]
    let attempt: Int
    let maxAttempts: Int
    let inputTokens: Int?
    let outputTokens: Int?
    let error: String?
    let revision: Int?
    let createdAt: Date
    let startedAt: Date?
    let finishedAt: Date?

    init(_ generation: Generation) {
        id = generation.id
        articleID = generation.articleID
        status = generation.status
        model = generation.model
        modelVersion = generation.modelVersion
        promptVersion = generation.promptVersion
        parameters = generation.parameters
        sources = generation.sources
        attempt = generation.attempt
        maxAttempts = generation.maxAttempts
        inputTokens = generation.inputTokens
        outputTokens = generation.outputTokens
        error = generation.error
        revision = generation.revision
        createdAt = generation.createdAt
        startedAt = generation.startedAt
        finishedAt = generation.finishedAt
    }
}

struct AuditEventView: Encodable {
    let id: Int
    let chain: String
    let seq: Int
    let actor: String
    let action: String
    @OptionalLowercaseUUID var articleID: UUID?
    let revision: Int?
    let fromState: String?
    let toState: String?
    let reason: String?
    let details: JSONValue
    let requestID: String?
    let at: Date
    let hash: String

    init(_ event: AuditEvent) {
        id = event.id
        chain = event.chain
        seq = event.seq
        actor = event.actor
        action = event.action
        articleID = event.articleID
        revision = event.revision
        fromState = event.fromState
        toState = event.toState
        reason = event.reason
        details = event.details
        requestID = event.requestID
        at = event.at
        hash = event.hash
    }
}

struct ClaimView: Encodable {
    @LowercaseUUID var id: UUID
    @LowercaseUUID var articleID: UUID
    let revision: Int
    let text: String
    let status: ClaimStatus
    let evidence: [Evidence]
    let createdAt: Date
    let updatedAt: Date

    init(_ claim: Claim) {
        id = claim.id
        articleID = claim.articleID
        revision = claim.revision
        text = claim.text
        status = claim.status
        evidence = claim.evidence
        createdAt = claim.createdAt
        updatedAt = claim.updatedAt
    }
}

struct VerificationView: Encodable {
    @LowercaseUUID var id: UUID
    @LowercaseUUID var articleID: UUID
    let revision: Int
    let checkpoint: String
    let verdict: Verdict
    let contentHash: String
    let actor: String
    let note: String
    let evidence: [Evidence]
    let createdAt: Date

    init(_ verification: Verification) {
        id = verification.id
        articleID = verification.articleID
        revision = verification.revision
        checkpoint = verification.checkpoint
        verdict = verification.verdict
        contentHash = verification.contentHash
        actor = verification.actor
        note = verification.note
        evidence = verification.evidence
        createdAt = verification.createdAt
    }
}

/// An item's error inside a batch result.
struct ErrorView: Encodable {
    let kind: String
    let message: String

    init(_ error: GalleyError) {
        kind = Failure.kind(of: error)
        message = error.message
    }

    init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }
}
