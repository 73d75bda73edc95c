import Foundation
import GalleyCore
import Postgres

/// Published events in a order that never skips one: see `event_stream` in
/// sql/0004_webhooks.sql and docs/events.md.
public struct EventStreamService: Sendable {
    let env: GalleyEnvironment

    /// A reader's place in the stream: the inserting transaction's id and the event id.
    public struct Position: Sendable, Equatable, CustomStringConvertible {
        public var xid: UInt64
        public var eventID: Int

        public init(xid: UInt64, eventID: Int) {
            self.xid = xid
            self.eventID = eventID
        }

        /// Parses `"<xid>-<event id>"`, the SSE event id.
        public init?(_ text: String) {
            let parts = text.split(separator: "-")
            guard parts.count == 2, let xid = UInt64(parts[0]), let id = Int(parts[1]), id >= 0 else { return nil }
            self.init(xid: xid, eventID: id)
        }

        public var description: String { "\(xid)-\(eventID)" }
        public static let start = Position(xid: 0, eventID: 0)
    }

    public struct Event: Sendable {
        public let position: Position
        public let type: String
        /// The same fields as a webhook delivery's body, without `article`.
        public let payload: JSONValue
    }

    /// Where a reader that asks for no history starts: after everything already final.
    public func now(filter: Filter = Filter(), by caller: Caller) async throws -> Position {
        _ = try Self.reader(filter, caller)
        return try await env.read { conn in
            Position(xid: max(try EventStore.oldestRunning(conn) ?? 1, 1) - 1, eventID: Int.max)
        }
    }

    /// Which events a reader wants; nil fields mean any.
    public struct Filter: Sendable {
        public var types: [String]?
        public var articleID: UUID?
        /// Only events about articles the caller works on: an open assignment, or a comment.
        public var forMe: Bool

        public init(types: [String]? = nil, articleID: UUID? = nil, forMe: Bool = false) {
            self.types = types
            self.articleID = articleID
            self.forMe = forMe
        }
    }

    /// The actor whose articles the reader follows (`forMe`), once the caller may read so.
    /// Every event is the audit log's to show (`audit.read`); the events of articles one works
    /// on are also in those articles' histories, which every reader of articles may read.
    private static func reader(_ filter: Filter, _ caller: Caller) throws -> UUID? {
        guard filter.forMe else {
            try caller.principal.require(.readAudit)
            return nil
        }
        try caller.principal.require(.readArticles)
        guard let actorID = caller.principal.actorID else {
            throw GalleyError.validation([.init(field: "for", message: "me needs a named actor; the database operator works on no article")])
        }
        return actorID
    }

    /// Up to `limit` events after `position` whose transactions are older than every
    /// transaction still running, in (transaction, event) order. Each read confirms in its
    /// statement that the caller's token is still live, else throws `unauthenticated`: a
    /// stream of a revoked or expired token, or of a deactivated actor, ends at its next read.
    public func read(after position: Position, limit: Int, filter: Filter = Filter(), by caller: Caller) async throws -> [Event] {
        let follower = try Self.reader(filter, caller)
        let live = caller.stillLive(at: env.now())
        let env = env
        return try await env.read { conn in
            guard let events = try EventStore.events(conn, after: position, limit: limit, filter: filter, follower: follower, whileLive: live) else {
                throw env.deadToken(of: caller)
            }
            return events
        }
    }
}
