import Foundation
import GalleyCore
import Postgres
import Tracing

/// Publishing many articles at once, and publishing scheduled articles when they fall due.
public struct PublishingService: Sendable {
    let env: GalleyEnvironment

    public struct ItemResult: Sendable, Equatable {
        public enum Status: String, Sendable, Codable { case published, failed, skipped }
        public let articleID: UUID
        public let status: Status
        public let error: GalleyError?
    }

    public struct BatchResult: Sendable {
        public let id: UUID
        public let atomic: Bool
        public let results: [ItemResult]
        public var failed: Int { results.filter { $0.status == .failed }.count }
    }

    public static let maxBatchSize = 10_000

    /// Publishes each article. Atomic: all in one transaction, and when any item fails
    /// nothing is published (the result says which failed). Otherwise each item stands
    /// alone. Articles already live with their current text are skipped.
    public func publish(
        _ ids: [UUID], atomic: Bool, correctionNote: String? = nil, dryRun: Bool = false, by caller: Caller
    ) async throws -> BatchResult {
        try await withOperationSpan("publish_batch", attributes: ["galley.batch.size": .int64(Int64(ids.count))]) {
            try await publishBatch(ids, atomic: atomic, correctionNote: correctionNote, dryRun: dryRun, by: caller)
        }
    }

    private func publishBatch(_ ids: [UUID], atomic: Bool, correctionNote: String?, dryRun: Bool, by caller: Caller) async throws -> BatchResult {
        try caller.principal.require(.batchPublish)
        if ids.isEmpty || ids.count > Self.maxBatchSize {
            throw GalleyError.validation([.init(field: "article_ids", message: "must list 1 to \(Self.maxBatchSize) articles")])
        }
        var seen = Set<UUID>()
        let unique = ids.filter { seen.insert($0).inserted }
        let batchID = env.newID()
        let now = env.now()
        let request = TransitionService.Request(.publish, correctionNote: correctionNote)
        var results: [ItemResult]
        if atomic || dryRun {
            results = try await publishTogether(unique, request: request, rollback: dryRun, caller: caller, at: now)
        } else {
            results = []
            results.reserveCapacity(unique.count)
            for chunk in stride(from: 0, to: unique.count, by: 100).map({ Array(unique[$0..<min($0 + 100, unique.count)]) }) {
                results += try await publishEach(chunk, request: request, caller: caller, at: now)
            }
        }
        if !dryRun, let actorID = caller.principal.actorID {
            let stored = results
            try await env.transaction { conn in
                try PublicationStore.insertBatch(conn, id: batchID, requestedBy: actorID, atomic: atomic, results: stored, at: now)
            }
        }
        return BatchResult(id: batchID, atomic: atomic, results: results)
    }

    /// Publishes each article in a savepoint of one transaction, so that a failing article
    /// does not undo the others, in two round trips each rather than a transaction each: the
    /// savepoint and every read in one pipeline, the writes in another. An item's savepoint
    /// is released in the next item's pipeline; the last one is released by COMMIT.
    private func publishEach(_ ids: [UUID], request: TransitionService.Request, caller: Caller, at now: Date) async throws -> [ItemResult] {
        try await env.transaction { conn in
            var open = false
            return try ids.map { id in
                defer { open = true }
                do {
                    return try Self.publishOne(id, releasingPrevious: open, request: request, conn: conn, caller: caller, at: now)
                } catch let error as GalleyError {
                    try Self.item.rollBack(conn)
                    return ItemResult(articleID: id, status: .failed, error: error)
                }
            }
        }
    }

    private struct RolledBack: Error { let results: [ItemResult] }

    private func publishTogether(_ ids: [UUID], request: TransitionService.Request, rollback: Bool, caller: Caller, at now: Date) async throws
        -> [ItemResult]
    {
        do {
            return try await env.transaction { conn in
                var results: [ItemResult] = []
                var failed = false
                var open = false
                for id in ids {
                    defer { open = true }
                    do {
                        results.append(
                            try Self.publishOne(id, releasingPrevious: open, request: request, conn: conn, caller: caller, at: now))
                    } catch let error as GalleyError {
                        try Self.item.rollBack(conn)
                        results.append(ItemResult(articleID: id, status: .failed, error: error))
                        failed = true
                    }
                }
                if failed || rollback { throw RolledBack(results: results) }
                return results
            }
        } catch let rolledBack as RolledBack {
            return rolledBack.results
        }
    }

    /// Each article's savepoint in a batch.
    private static let item = Savepoint("item")

    /// Publishes one article of a batch in its savepoint, which goes to the server with its
    /// reads (after releasing the previous article's, if one is still set).
    static func publishOne(
        _ id: UUID, releasingPrevious: Bool, request: TransitionService.Request, conn: PostgresConnection, caller: Caller, at now: Date
    ) throws -> ItemResult {
        let savepoint = releasingPrevious ? [item.releasing, item.setting] : [item.setting]
        let (article, facts) = try TransitionService.PublishFacts.readWithArticle(conn, id: id, after: savepoint)
        if article.state == .published, article.liveRevision == article.currentRevision {
            return ItemResult(articleID: id, status: .skipped, error: nil)
        }
        try TransitionService.apply(request, to: article, conn: conn, caller: caller, at: now, publishFacts: facts)
        return ItemResult(articleID: id, status: .published, error: nil)
    }
}

extension PublishingService {
    /// A stored batch and its per-article results, as first reported.
    public struct StoredBatch: Sendable {
        public let id: UUID
        public let atomic: Bool
        public let results: JSONValue
        public let createdAt: Date
    }

    public func batch(_ id: UUID, by caller: Caller) async throws -> StoredBatch {
        try caller.principal.require(.batchPublish)
        return try await env.read { conn in try PublicationStore.batch(conn, id: id) }
    }
}
