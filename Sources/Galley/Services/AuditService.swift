import Crypto
import Foundation
import GalleyCore
import Postgres

/// Reading the audit log, sealing it, and proving it intact.
public struct AuditService: Sendable {
    let env: GalleyEnvironment

    public struct Query: Sendable {
        public var articleID: UUID?
        public var actor: String?
        public var action: String?
        public var since: Date?
        public var until: Date?
        public var limit: Int = 50
        public var cursor: String?
        public init() {}

        var filter: AuditStore.Filter {
            AuditStore.Filter(articleID: articleID, actor: actor, action: action, since: since, until: until)
        }
    }

    public func events(_ query: Query, by caller: Caller) async throws -> Page<AuditEvent> {
        try caller.principal.require(.readAudit)
        let limit = min(max(query.limit, 1), 1000)
        let after = try query.cursor.map(Self.decodeCursor) ?? 0
        let filter = query.filter
        return try await env.read { conn in
            let rows = try AuditStore.list(conn, filter: filter, afterID: after, limit: limit + 1)
            let page = Array(rows.prefix(limit))
            return Page(items: page, nextCursor: rows.count > limit ? page.last.map { String($0.id) } : nil)
        }
    }

    /// One article's history, oldest first; readable by anyone who may read the article.
    public func history(of articleID: UUID, by caller: Caller) async throws -> [AuditEvent] {
        try caller.principal.require(.readArticles)
        return try await env.read { conn in
            _ = try ArticleStore.fetch(conn, id: articleID)
            var events: [AuditEvent] = []
            var after = 0
            while true {
                let batch = try AuditStore.list(conn, filter: .init(articleID: articleID), afterID: after, limit: 1000)
                events += batch
                guard batch.count == 1000, let last = batch.last else { return events }
                after = last.id
            }
        }
    }

    /// A page of one article's history, oldest first, after `cursor` (a page's `nextCursor`);
    /// readable by anyone who may read the article.
    public func history(of articleID: UUID, cursor: String?, limit: Int, by caller: Caller) async throws -> Page<AuditEvent> {
        try caller.principal.require(.readArticles)
        let limit = min(max(limit, 1), 1000)
        let after = try cursor.map(Self.decodeCursor) ?? 0
        return try await env.read { conn in
            _ = try ArticleStore.fetch(conn, id: articleID)
            let rows = try AuditStore.list(conn, filter: .init(articleID: articleID), afterID: after, limit: limit + 1)
            let page = Array(rows.prefix(limit))
            return Page(items: page, nextCursor: rows.count > limit ? page.last.map { String($0.id) } : nil)
        }
    }

    /// Every matching event in id order, a batch at a time, so that exports of millions of
    /// events run in constant memory. Each batch is read while the one before is written
    /// (`AuditPrefetch`), in a statement that confirms the caller's token is still live; a
    /// batch read ahead is handed out only once the token is confirmed again after the one
    /// before was handed out. An export whose token is revoked or expired, or whose actor is
    /// deactivated, fails at its next batch (`unauthenticated`), cut short, never
    /// complete-looking.
    public func stream(_ query: Query, batchSize: Int = 2_000, by caller: Caller) throws -> AsyncThrowingStream<[AuditEvent], any Error> {
        try batches(query, batchSize: batchSize, by: caller) { try $0.events() }
    }

    /// `stream`'s batches as the rows PostgreSQL sent, for writing the events out from their
    /// bytes (`AuditEventRows`). Larger batches than `stream`'s: once rows were no longer
    /// decoded, the server's cost per statement was a large share of an export's time.
    public func streamRows(_ query: Query, batchSize: Int = 5_000, by caller: Caller) throws -> AsyncThrowingStream<AuditEventRows, any Error> {
        try batches(query, batchSize: batchSize, by: caller) { $0 }
    }

    /// The batches of `stream`, each made by `make` from its rows on the connection's thread.
    private func batches<Batch: Sendable>(
        _ query: Query, batchSize: Int, by caller: Caller, _ make: @escaping @Sendable (AuditEventRows) throws -> Batch
    ) throws -> AsyncThrowingStream<Batch, any Error> {
        try caller.principal.require(.readAudit)
        let filter = query.filter
        let env = self.env
        @Sendable func batch(after: Int) async throws -> (batch: Batch, lastID: Int?) {
            let live = caller.stillLive(at: env.now())
            let found = try await env.replicaRead(for: caller) { conn in
                try AuditStore.list(conn, filter: filter, afterID: after, limit: batchSize, whileLive: live).map { rows in
                    (batch: try make(rows), lastID: try rows.lastID)
                }
            }
            guard let found else { throw env.deadToken(of: caller) }
            return found
        }
        let prefetch = AuditPrefetch<(batch: Batch, lastID: Int?)>()
        return AsyncThrowingStream {
            let next: (batch: Batch, lastID: Int?)
            if let ahead = prefetch.take() {
                next = try await ahead.value
                try await env.confirmStillLive(caller)
            } else {
                next = try await batch(after: 0)
            }
            guard let last = next.lastID else { return nil }
            prefetch.start { try await batch(after: last) }
            return next.batch
        }
    }

    static func decodeCursor(_ cursor: String) throws -> Int {
        guard let id = Int(cursor), id >= 0 else {
            throw GalleyError.validation([.init(field: "cursor", message: "is not a cursor this server issued")])
        }
        return id
    }
}
