import Dispatch
import Foundation
import GalleyCore
import Postgres

/// Signing in to the review desk with a name and password, and the sessions that follow:
/// server-side rows, so an admin can list and end them and deactivating a person ends theirs.
public struct SessionService: Sendable {
    let env: GalleyEnvironment

    /// The most sessions one listing returns.
    public static let listLimit = 500

    static let wrongCredentials = GalleyError.unauthenticated(
        "The name or password is wrong; check both, or ask an admin to set a new password (galley actors password NAME).")
    static let sessionEnded = GalleyError.unauthenticated("Your desk session has ended or expired; sign in again.")

    /// Signs `name` in when `password` is theirs. Five failed attempts for one name within 15
    /// minutes lock it for 15 minutes, whoever makes them; the lock is audited.
    public func signIn(name: String, password: String, clientAddress: String, userAgent: String, requestID: String?) async throws
        -> DeskSession
    {
        let now = env.now()
        // Names that cannot be an actor's are refused as wrong, without a lookup to bound.
        guard Validation.isActorName(name), password.utf8.count <= PasswordHash.maximumBytes, !password.contains("\0") else {
            throw Self.wrongCredentials
        }
        let (lockedUntil, candidate) = try await env.read { conn in
            try conn.read(SessionStore.lockedUntil(name: name, at: now), SessionStore.signInCandidate(name: name))
        }
        if let lockedUntil { throw Self.locked(name, until: lockedUntil) }
        // Unknown names cost a derivation too, so timing does not tell which names exist.
        let stored = candidate?.passwordHash.flatMap(PasswordHash.init(stored:)) ?? Self.decoy
        let matches = try await Self.offRequestThreads { try stored.matches(password) }
        guard let candidate, candidate.passwordHash != nil, matches else {
            let lockedNow = try await env.transaction { conn in
                let until = try SessionStore.recordFailure(conn, name: name, at: now)
                if let until {
                    try AuditStore.append(
                        conn,
                        AuditEntry(
                            chain: AuditEntry.systemChain, principal: .signIn, action: "sign_in.locked",
                            details: [
                                "name": .string(name), "failures": .number(Double(SessionStore.failuresBeforeLock)),
                                "locked_until": .string(RFC3339.format(until)), "client_address": .string(Self.bounded(clientAddress, 100)),
                            ],
                            requestID: requestID, at: now))
                }
                return until
            }
            if let lockedNow { throw Self.locked(name, until: lockedNow) }
            throw Self.wrongCredentials
        }
        let id = env.newID()
        let secret = Secrets.random()
        try await env.transaction(recordsEvents: false) { conn in
            try SessionStore.insert(
                conn, id: id, actorID: candidate.actor.id, secretHash: SessionStore.secretHash(secret),
                clientAddress: Self.bounded(clientAddress, 100), userAgent: Self.bounded(userAgent, 300), at: now)
        }
        return DeskSession(id: id, secret: secret, actor: candidate.actor)
    }

    /// The signed-in person a session's secret names, or `unauthenticated` when it has
    /// ended, expired, or its person was deactivated.
    public func visit(secret: String, requestID: String?) async throws -> DeskVisit {
        guard secret.utf8.count <= 100 else { throw Self.sessionEnded }
        let now = env.now()
        let hash = SessionStore.secretHash(secret)
        guard let found = try await env.query(SessionStore.visit(secretHash: hash, at: now)) else { throw Self.sessionEnded }
        if now.timeIntervalSince(found.lastSeenAt) >= SessionStore.seenInterval {
            try await env.transaction(recordsEvents: false) { conn in try SessionStore.touch(conn, id: found.sessionID, at: now) }
        }
        let session = RememberedSession(hash: hash, actorID: found.actor.id, actorVersion: found.actor.version)
        let caller = Caller(principal: found.actor.principal, requestID: requestID, credential: nil, token: nil, session: session)
        return DeskVisit(caller: caller, actor: found.actor, sessionID: found.sessionID, csrfToken: DeskVisit.csrfToken(secret: secret))
    }

    /// Ends the session with this secret ("Sign out"); a session already ended is no error.
    public func signOut(secret: String) async throws {
        guard secret.utf8.count <= 100 else { return }
        let now = env.now()
        try await env.transaction(recordsEvents: false) { conn in
            _ = try SessionStore.end(conn, secretHash: SessionStore.secretHash(secret), reason: "signed_out", at: now)
        }
    }

    /// Live sessions, of one actor or of everyone; an admin's view (`actors.manage`).
    public func list(actorID: UUID? = nil, by caller: Caller) async throws -> [SessionRecord] {
        try caller.principal.require(.manageActors)
        return try await env.query(SessionStore.live(actorID: actorID, at: env.now(), limit: Self.listLimit))
    }

    /// Ends a session at once (`actors.manage`); audited.
    public func revoke(_ id: UUID, by caller: Caller) async throws {
        try caller.principal.require(.manageActors)
        let now = env.now()
        try await env.transaction { conn in
            guard let actorID = try SessionStore.end(conn, id: id, reason: "revoked", at: now) else {
                throw GalleyError.notFound(kind: "live session", id: id.lowercasedString)
            }
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.systemChain, principal: caller.principal, action: "session.revoked",
                    details: ["session_id": .string(id.lowercasedString), "actor_id": .string(actorID.lowercasedString)],
                    requestID: caller.requestID, at: now))
        }
    }

    static func locked(_ name: String, until: Date) -> GalleyError {
        .unauthenticated(
            "Too many failed sign-ins for \(name): it is locked until \(RFC3339.format(until)); try again then, or ask an admin to set a new password."
        )
    }

    /// Runs CPU-heavy work (a password derivation) on a thread of Dispatch's, never on the
    /// cooperative pool or an event loop.
    static func offRequestThreads<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// A hash no password matches in practice, derived like a real one.
    private static let decoy = PasswordHash(stored: "pbkdf2-sha256$600000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")!

    private static func bounded(_ text: String, _ limit: Int) -> String {
        String(text.replacingOccurrences(of: "\0", with: "").prefix(limit))
    }
}
