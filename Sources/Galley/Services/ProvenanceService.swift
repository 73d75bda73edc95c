import Foundation
import GalleyCore
import Postgres

/// The review record of an article's live revision (or its current one when nothing is
/// live): who generated it and how, which checkpoints passed on its exact text and by
/// whom, who holds editorial responsibility, its checked claims and its corrections.
public struct ProvenanceRecord: Sendable {
    public let article: Article
    public let revision: Revision
    public let isLive: Bool
    public let generation: Generation?
    public let verdicts: [Verification]
    public let claims: [Claim]
    public let corrections: [Correction]
    /// The approver of this exact text, if it was approved.
    public let responsibleEditor: Actor?
}

public struct ProvenanceService: Sendable {
    let env: GalleyEnvironment

    public func record(_ id: UUID, by caller: Caller) async throws -> ProvenanceRecord {
        try caller.principal.require(.readArticles)
        return try await env.read { conn in
            let article = try ArticleStore.fetch(conn, id: id)
            let number = article.liveRevision ?? article.currentRevision
            let revision = try RevisionStore.fetch(conn, articleID: id, number: number)
            let generation = try revision.generationID.map { try GenerationStore.fetch(conn, id: $0) }
            let verdicts = try ReviewStore.verifications(conn, articleID: id)
                .filter { $0.revision == number && $0.contentHash == revision.content.contentHash }
            let (approver, claims) = try conn.read(
                ReviewStore.approver(articleID: id, revision: number), ReviewStore.claims(articleID: id, revision: number))
            return ProvenanceRecord(
                article: article, revision: revision, isLive: article.liveRevision == number, generation: generation,
                verdicts: verdicts, claims: claims,
                corrections: try PublicationStore.corrections(conn, articleID: id),
                responsibleEditor: try approver.map { try ActorStore.fetch(conn, id: $0) })
        }
    }
}

extension GalleyServices {
    public var provenance: ProvenanceService { ProvenanceService(env: environment) }
}
