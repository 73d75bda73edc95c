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

    /// Signs `name` in when `password` is theirs, and ends `replacing`, the session the same
    /// browser had, if any. Five failed attempts for one name within 15 minutes lock it for 15
    /// minutes, whoever makes them; attempts are counted before their password is checked,
    /// so five at most get a check however many arrive at once. A lock of a name some actor
    /// has is audited; a name nobody has is locked alike, unaudited.
    public func signIn(
        name: String, password: String, replacing previousSecret: String? = nil, clientAddress: String, userAgent: String,
        requestID: String?
    ) async throws -> DeskSession {
        let now = env.now()
        let clientAddress = Self.bounded(clientAddress, 100)
        // Names that cannot be an actor's are refused as wrong, without a lookup to bound.
        guard Validation.isActorName(name), password.utf8.count <= PasswordHash.maximumBytes, !password.contains("\0") else {
            throw Self.wrongCredentials
        }
        let (attempt, candidate) = try await env.transaction { conn in
            let attempt = try SessionStore.reserveAttempt(conn, name: name, at: now)
            if case .locked(let until, new: true) = attempt {
                try auditLock(conn, name: name, until: until, clientAddress: clientAddress, requestID: requestID, at: now)
            }
            return (attempt, try conn.read(ActorStore.signInCandidate(name: name)))
        }
        if case .locked(let until, _) = attempt { throw Self.locked(name, until: until) }
        // Unknown names cost a derivation too, so timing does not tell which names exist.
        let stored = candidate?.passwordHash.flatMap(PasswordHash.init(stored:)) ?? Self.decoy
        let matches: Bool
        do {
            matches = try await env.passwordWork.run { try stored.matches(password) }
        } catch GalleyError.busy(let message) {
            // Turned away before any check: the attempt does not count.
            try await env.transaction(recordsEvents: false) { conn in try SessionStore.release(conn, name: name, reservedAt: now) }
            throw GalleyError.busy(message)
        }
        guard let candidate, let checkedHash = candidate.passwordHash, matches else {
            let lockedNow = try await env.transaction { conn in
                let until = try SessionStore.lockIfDue(conn, name: name, at: now)
                if let until { try auditLock(conn, name: name, until: until, clientAddress: clientAddress, requestID: requestID, at: now) }
                return until
            }
            if let lockedNow { throw Self.locked(name, until: lockedNow) }
            throw Self.wrongCredentials
        }
        let id = env.newID()
        let secret = Secrets.random()
        let previous = previousSecret.flatMap { $0.utf8.count <= 100 ? SessionStore.secretHash($0) : nil }
        let started = try await env.transaction(recordsEvents: false) { conn -> Date? in
            guard
                try SessionStore.start(
                    conn, id: id, actor: candidate.actor, passwordHash: checkedHash, secretHash: SessionStore.secretHash(secret),
                    clientAddress: clientAddress, userAgent: Self.bounded(userAgent, 300), at: now)
            else {
                // Locked, reset or deactivated while the password was checked.
                return try conn.read(SessionStore.lockedUntil(name: name, at: now)) ?? .distantPast
            }
            try SessionStore.release(conn, name: name, reservedAt: now)
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.systemChain, principal: candidate.actor.principal, action: "session.started",
                    details: [
                        "actor": .string(candidate.actor.name), "actor_id": .string(candidate.actor.id.lowercasedString),
                        "session_id": .string(id.lowercasedString), "client_address": .string(clientAddress),
                    ],
                    requestID: requestID, at: now))
            if let previous, let ended = try SessionStore.end(conn, secretHash: previous, reason: "signed_out", at: now) {
                try auditEnded(conn, ended, requestID: requestID, at: now)
            }
            return nil
        }
        if let refusedUntil = started {
            if refusedUntil > now { throw Self.locked(name, until: refusedUntil) }
            throw Self.wrongCredentials
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
    public func signOut(secret: String, requestID: String?) async throws {
        guard secret.utf8.count <= 100 else { return }
        let now = env.now()
        try await env.transaction(recordsEvents: false) { conn in
            if let ended = try SessionStore.end(conn, secretHash: SessionStore.secretHash(secret), reason: "signed_out", at: now) {
                try auditEnded(conn, ended, requestID: requestID, at: now)
            }
        }
    }

    /// A session its own person ended (signed out, or signed in again in the same browser).
    private func auditEnded(_ conn: PostgresConnection, _ ended: (id: UUID, actorID: UUID), requestID: String?, at now: Date) throws {
        try AuditStore.append(
            conn,
            AuditEntry(
                chain: AuditEntry.systemChain, principal: .signIn, action: "session.ended",
                details: [
                    "session_id": .string(ended.id.lowercasedString), "actor_id": .string(ended.actorID.lowercasedString),
                    "reason": .string("signed_out"),
                ],
                requestID: requestID, at: now))
    }

    /// A lock on a name, audited only when some actor has the name: anyone may lock made-up
    /// names, and those would only fill the history.
    private func auditLock(
        _ conn: PostgresConnection, name: String, until: Date, clientAddress: String, requestID: String?, at now: Date
    ) throws {
        guard try ActorStore.exists(conn, name: name) else { return }
        try AuditStore.append(
            conn,
            AuditEntry(
                chain: AuditEntry.systemChain, principal: .signIn, action: "sign_in.locked",
                details: [
                    "name": .string(name), "failures": .number(Double(SessionStore.failuresBeforeLock)),
                    "locked_until": .string(RFC3339.format(until)), "client_address": .string(clientAddress),
                ],
                requestID: requestID, at: now))
    }

    /// Live sessions, of one actor or of everyone; an admin's view (`actors.manage`).
    public func list(actorID: UUID? = nil, by caller: Caller) async throws -> [SessionRecord] {
        try caller.principal.require(.manageActors)
        return try await env.query(SessionStore.live(actorID: actorID, at: env.now(), limit: Self.listLimit))
    }

    /// Live sessions of one actor, named or by id (`actors.manage`); `notFound` when no
    /// actor has that name or id.
    public func list(of actor: ActorService.ActorReference, by caller: Caller) async throws -> [SessionRecord] {
        try caller.principal.require(.manageActors)
        // A name no actor could have names nobody, without a lookup to bound.
        if case .name(let name) = actor, !Validation.isActorName(name) { throw GalleyError.notFound(kind: "actor", id: String(name.prefix(64))) }
        let now = env.now()
        return try await env.read { conn in
            let owner =
                switch actor {
                case .id(let id): try ActorStore.fetch(conn, id: id)
                case .name(let name): try ActorStore.fetch(conn, name: name)
                }
            return try conn.read(SessionStore.live(actorID: owner.id, at: now, limit: Self.listLimit))
        }
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

    /// A hash no password matches in practice, derived like a real one.
    private static let decoy = PasswordHash(stored: "pbkdf2-sha256$600000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")!

    private static func bounded(_ text: String, _ limit: Int) -> String {
        String(text.replacingOccurrences(of: "\0", with: "").prefix(limit))
    }
}
