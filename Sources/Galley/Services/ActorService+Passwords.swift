import Foundation
import GalleyCore
import Postgres

extension ActorService {
    /// Sets a person's desk password (`actors.manage`). Their open desk sessions end with the
    /// old password; services never sign in, so never get one. Audited, without the password.
    public func setPassword(for reference: ActorReference, to password: String, by caller: Caller) async throws {
        try caller.principal.require(.manageActors)
        let problems = PasswordHash.problems(password)
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        var generator = SystemRandomNumberGenerator()
        let salt = Data((0..<PasswordHash.saltByteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let hash = try await env.passwordWork.run { try PasswordHash(password: password, salt: salt) }
        let now = env.now()
        try await env.transaction { conn in
            let actor = try ActorStore.lock(conn, reference)
            guard actor.kind == .person else {
                throw GalleyError.validation([
                    .init(field: "actor", message: "\(actor.name) is a service: services use tokens and never sign in to the desk")
                ])
            }
            try ActorStore.setPassword(conn, actorID: actor.id, hash: hash.stored, at: now)
            let ended = try SessionStore.endAll(conn, actorID: actor.id, reason: "revoked", at: now)
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.systemChain, principal: caller.principal, action: "actor.password_set",
                    details: [
                        "actor": .string(actor.name), "actor_id": .string(actor.id.lowercasedString),
                        "sessions_ended": .number(Double(ended)),
                    ],
                    requestID: caller.requestID, at: now))
        }
    }
}
