import Crypto
import Foundation
import GalleyCore
import Postgres
import Synchronization

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
    /// events run in constant memory. Each batch confirms in its statement that the caller's
    /// token is still live: an export whose token is revoked or expired, or whose actor is
    /// deactivated, fails at its next batch (`unauthenticated`), cut short, never complete-looking.
    public func stream(_ query: Query, batchSize: Int = 5_000, by caller: Caller) throws -> AsyncThrowingStream<[AuditEvent], any Error> {
        try caller.principal.require(.readAudit)
        let filter = query.filter
        let env = self.env
        let position = Position()
        return AsyncThrowingStream {
            let after = position.lastID.withLock { $0 }
            let live = caller.stillLive(at: env.now())
            let found = try await env.replicaRead(for: caller) { conn in
                try AuditStore.list(conn, filter: filter, afterID: after, limit: batchSize, whileLive: live)
            }
            guard let batch = found else { throw env.deadToken(of: caller) }
            guard let last = batch.last else { return nil }
            position.lastID.withLock { $0 = last.id }
            return batch
        }
    }

    private final class Position: Sendable {
        let lastID = Mutex(0)
    }

    static func decodeCursor(_ cursor: String) throws -> Int {
        guard let id = Int(cursor), id >= 0 else {
            throw GalleyError.validation([.init(field: "cursor", message: "is not a cursor this server issued")])
        }
        return id
    }
}
