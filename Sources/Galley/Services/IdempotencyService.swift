import Crypto
import Foundation
import GalleyCore
import Postgres

/// Stored results of requests made with an idempotency key: the same key and request
/// replays the stored result and changes nothing; the same key with another request is
/// refused. Shared by the API (`Idempotency-Key`) and any other adapter.
public struct IdempotencyService: Sendable {
    let env: GalleyEnvironment

    public struct StoredResponse: Sendable, Equatable {
        public let status: Int
        public let body: Data
        public init(status: Int, body: Data) {
            self.status = status
            self.body = body
        }
    }

    /// A digest of what the request asked for; two requests are "the same" when equal.
    public static func fingerprint(_ parts: [String], body: Data) -> String {
        var hasher = SHA256()
        for part in parts {
            hasher.update(data: Data(part.utf8))
            hasher.update(data: Data([0]))
        }
        hasher.update(data: body)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The stored response for this key, nil when the key is new; `validation` when the key
    /// was used for a different request.
    public func lookup(actorID: UUID, key: String, fingerprint: String) async throws -> StoredResponse? {
        try Self.validate(key)
        let row = try await env.read { conn in
            try conn.query(
                "SELECT fingerprint, status, body FROM idempotency_keys WHERE actor_id = \(actorID) AND key = \(key)"
            ).single.map { row in
                (try row.decode("fingerprint", as: String.self), try row.decode("status", as: Int.self), try row.decode("body", as: Data.self))
            }
        }
        guard let (stored, status, body) = row else { return nil }
        guard stored == fingerprint else {
            throw GalleyError.validation([
                .init(field: "Idempotency-Key", message: "was already used for a different request; use a new key for a new request")
            ])
        }
        return StoredResponse(status: status, body: body)
    }

    /// Stores a response; the first writer of a key wins.
    public func store(actorID: UUID, key: String, fingerprint: String, response: StoredResponse) async throws {
        try Self.validate(key)
        try await env.transaction { conn in
            try conn.execute(
                """
                INSERT INTO idempotency_keys (actor_id, key, fingerprint, status, body)
                VALUES (\(actorID), \(key), \(fingerprint), \(response.status), \(response.body))
                ON CONFLICT (actor_id, key) DO NOTHING
                """)
        }
    }

    static func validate(_ key: String) throws(GalleyError) {
        if key.isEmpty || key.utf8.count > 255 {
            throw .validation([.init(field: "Idempotency-Key", message: "must be 1 to 255 characters")])
        }
    }
}

extension GalleyServices {
    public var idempotency: IdempotencyService { IdempotencyService(env: environment) }
}
