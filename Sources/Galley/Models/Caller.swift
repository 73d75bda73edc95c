import Foundation
import GalleyCore
import Postgres

/// Who is calling and under which request id; every service call takes one.
public struct Caller: Sendable {
    public let principal: Principal
    public let requestID: String?
    /// Set when the caller was recognised from a remembered token that the database has yet
    /// to confirm (`Credential`); nil when nothing is left to confirm.
    let credential: Credential?
    /// The bearer token the caller was recognised by, with its actor's version then; nil for a
    /// caller without one (the CLI). A long answer (a stream, an export) re-checks it as it
    /// goes (`stillLive`), so it ends when the token dies or its actor changes.
    let token: RememberedToken?
    /// The actor a caller without a token was named as (the CLI's `--actor`), with its version
    /// then: a long answer re-checks it as it re-checks a token.
    let namedActor: (id: UUID, version: Int)?
    /// The desk session the caller signed in with (`SessionService.visit`): a long answer
    /// (the desk's event stream) re-checks it as it re-checks a token.
    let session: RememberedSession?

    public init(principal: Principal, requestID: String? = nil) {
        self.init(principal: principal, requestID: requestID, credential: nil, token: nil)
    }

    /// A caller acting as `actor` as it is now, without a token (the CLI's `--actor`). A long
    /// answer for it ends when the actor is deactivated or changed.
    public init(actor: Actor, requestID: String?) {
        self.init(principal: actor.principal, requestID: requestID, credential: nil, token: nil, namedActor: (actor.id, actor.version))
    }

    init(
        principal: Principal, requestID: String?, credential: Credential?, token: RememberedToken?,
        namedActor: (id: UUID, version: Int)? = nil, session: RememberedSession? = nil
    ) {
        self.principal = principal
        self.requestID = requestID
        self.credential = credential
        self.token = token
        self.namedActor = namedActor
        self.session = session
    }

    /// A condition that holds while the caller's token is live and its actor as it was
    /// (`ActorStore.isLiveCondition`), or its desk session is (`SessionStore.isLiveCondition`),
    /// or the actor it was named as is active and as it was (`ActorStore.isUnchangedCondition`),
    /// for each batch of a long answer to confirm in its own statement; always true for a
    /// caller with none of these (the operator).
    func stillLive(at now: Date) -> SQL {
        if let token { return ActorStore.isLiveCondition(token, at: now) }
        if let session { return SessionStore.isLiveCondition(session, at: now) }
        if let namedActor { return ActorStore.isUnchangedCondition(id: namedActor.id, version: namedActor.version) }
        return "true"
    }

    /// Whether `stillLive` can ever stop holding: not for the operator, who has no token,
    /// session or actor to lose.
    var canLapse: Bool { token != nil || session != nil || namedActor != nil }

    /// Whether the database has yet to confirm the caller's token.
    public var isPending: Bool { credential?.isPending ?? false }
}

/// The world as the services see it: the database, the clock, and id generation, all
/// injectable so that tests are deterministic where they need to be.
public struct GalleyEnvironment: Sendable {
    public let pool: PostgresPool
    public let now: @Sendable () -> Date
    public let newID: @Sendable () -> UUID
    /// Which webhook destinations may be called (`GALLEY_WEBHOOK_ALLOW`).
    public let webhookPolicy: WebhookAddressPolicy
    /// Reads kept in memory (`GALLEY_READ_CACHE_MB`).
    public let caches: ReadCaches
    /// Tells every server's listeners that something committed; coalesced unless given.
    public let wakeUp: EventWakeUp
    /// How long an idempotency key and its answer are kept (`GALLEY_IDEMPOTENCY_TTL`).
    public let idempotencyTTL: TimeInterval
    /// How long an idempotency reservation holds its key unless its request renews it.
    public let idempotencyLease: TimeInterval
    /// How long delivered events and finished webhook deliveries are kept (`GALLEY_EVENT_RETENTION`).
    public let eventRetention: TimeInterval
    /// When tokens were last used, written to the minute off the requests' way.
    public let tokenUse: TokenUse
    /// The keys that sign audit seals (`GALLEY_SEAL_KEY`); nil: seals are not signed.
    public let sealKey: SealKeyFile?
    /// A streaming replica for reads that may trail the newest commit
    /// (`GALLEY_DATABASE_READ_URL`); nil: every read goes to `pool`.
    public let replica: ReplicaReads?
    /// A direct connection (`GALLEY_DATABASE_SESSION_URL`) for work that holds a session's
    /// advisory lock across transactions (a pruning run) while `pool` leads through a pooler
    /// in transaction mode; nil: `pool`.
    public let sessionPool: PostgresPool?
    /// Transitions and verdicts by outcome, for metrics.
    public let tallies = Tallies()
    /// This server's one verification of the audit log at a time (`AuditService.verification`).
    let verifications = AuditVerificationFlight()
    /// Password derivations, on at most half the cores at once (at least one): a burst of
    /// sign-ins queues for those, and the API keeps the rest.
    let passwordWork = BoundedWork(width: max(1, ProcessInfo.processInfo.activeProcessorCount / 2))

    public init(
        pool: PostgresPool, now: @escaping @Sendable () -> Date = Date.init, newID: @escaping @Sendable () -> UUID = UUID.random,
        webhookPolicy: WebhookAddressPolicy = WebhookAddressPolicy(), caches: ReadCaches = ReadCaches(),
        wakeUp: EventWakeUp? = nil, idempotencyTTL: TimeInterval = GalleyConfiguration.defaultIdempotencyTTL,
        idempotencyLease: TimeInterval = IdempotencyService.defaultReservationLease,
        eventRetention: TimeInterval = GalleyConfiguration.defaultEventRetention, sealKey: SealKeyFile? = nil,
        replica: ReplicaReads? = nil, sessionPool: PostgresPool? = nil
    ) {
        self.pool = pool
        self.now = now
        self.newID = newID
        self.webhookPolicy = webhookPolicy
        self.caches = caches
        self.wakeUp = wakeUp ?? EventWakeUp(pool: pool)
        self.idempotencyTTL = idempotencyTTL
        self.idempotencyLease = idempotencyLease
        self.eventRetention = eventRetention
        self.tokenUse = TokenUse(pool: pool)
        self.sealKey = sealKey
        self.replica = replica
        self.sessionPool = sessionPool
        // Read once now, at start, so its public keys are served from memory from the first request.
        _ = try? sealKey?.ring()
    }
}

extension GalleyEnvironment {
    /// A transaction whose infrastructure failures surface as `GalleyError.unavailable`.
    /// Once it has committed, listeners are woken (`EventWakeUp`): it may have recorded events.
    /// A transaction that cannot record one says so with `recordsEvents: false` — above all
    /// one that listeners run when woken (claiming webhook deliveries), or an idle server
    /// wakes itself in a loop.
    @discardableResult
    func transaction<Result: Sendable>(
        isolation: IsolationLevel = .readCommitted, recordsEvents: Bool = true,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        try await confirmRequestCredential()
        return try await Self.unavailableWhenUnreachable {
            let result = try await pool.transaction(isolation: isolation, body)
            if recordsEvents { await wakeUp.committed() }
            return result
        }
    }

    /// One statement, sent without blocking any thread (`PostgresPool.query`): the cheapest
    /// way to the database for a read that needs nothing else.
    func query<Value>(_ read: StoreRead<Value>) async throws -> Value {
        try await confirmRequestCredential()
        return try await Self.unavailableWhenUnreachable { try read.decode(try await pool.query(read.sql)) }
    }

    /// One quick read (index probes: it cannot wait on a lock or run long) on a session
    /// shared with other requests' quick reads (`PostgresPool.quickRead`). Only for a
    /// statement that confirms the request's credential itself (`ArticleReads`).
    func quickRead<Value>(confirmingCredentialItself read: StoreRead<Value>) async throws -> Value {
        try await Self.unavailableWhenUnreachable { try read.decode(try await pool.quickRead(read.sql)) }
    }

    /// A read on one connection, without an explicit transaction.
    func read<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        try await confirmRequestCredential()
        return try await Self.unavailableWhenUnreachable { try await pool.withConnection(body) }
    }

    /// `read` on `sessionPool` when there is one: for work whose session state outlives a
    /// transaction.
    func sessionRead<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        try await confirmRequestCredential()
        return try await Self.unavailableWhenUnreachable { try await (sessionPool ?? pool).withConnection(body) }
    }

    /// `query` for a read that may trail the newest commit by others' writes (lists, search,
    /// the queue): on the replica when there is one and `caller` has not just written
    /// (`ReplicaReads`), else on the primary.
    func replicaQuery<Value>(_ read: StoreRead<Value>, for caller: Caller) async throws -> Value {
        try await confirmRequestCredential()
        return try await Self.unavailableWhenUnreachable {
            try await onReplica(for: caller.principal.actorID) { pool in try read.decode(try await pool.query(read.sql)) }
        }
    }

    /// `read` for reads that may trail the newest commit, as `replicaQuery`; `caller` nil
    /// for a read that serves anyone alike (the content API).
    func replicaRead<Result: Sendable>(
        for caller: Caller?, _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        try await confirmRequestCredential()
        return try await Self.unavailableWhenUnreachable {
            try await onReplica(for: caller?.principal.actorID) { pool in try await pool.withConnection(body) }
        }
    }

    private func onReplica<Result>(for actorID: UUID?, _ body: (PostgresPool) async throws -> Result) async throws -> Result {
        guard let replica else { return try await body(pool) }
        return try await replica.run(for: actorID, primary: pool, body)
    }

    /// `query` for a statement that confirms the request's credential itself (`ArticleReads`).
    func query<Value>(confirmingCredentialItself read: StoreRead<Value>) async throws -> Value {
        try await Self.unavailableWhenUnreachable { try read.decode(try await pool.query(read.sql)) }
    }

    /// Confirms `credential` with the database unless that is done: one statement. Throws
    /// `unauthenticated` when its token is dead.
    func confirm(_ credential: Credential?) async throws {
        guard let credential else { return }
        try credential.requireNotRefused()
        guard credential.isPending else { return }
        let live = try await query(confirmingCredentialItself: ActorStore.isLive(credential.token, at: now()))
        try settle(credential, live: live)
    }

    /// Records what the database said of `credential`; a dead token (or one whose actor
    /// changed) is forgotten, so the next request that bears it is checked before anything
    /// else, not served as pending.
    func settle(_ credential: Credential, live: Bool) throws {
        if !live { caches.tokens.remove(credential.tokenHash) }
        try credential.settle(live: live)
    }

    /// Confirms on the primary that the caller of a long answer is still live
    /// (`Caller.stillLive`); throws `deadToken` when not.
    func confirmStillLive(_ caller: Caller) async throws {
        guard caller.canLapse else { return }
        guard try await query(confirmingCredentialItself: ActorStore.holds(caller.stillLive(at: now()))) else {
            throw deadToken(of: caller)
        }
    }

    /// The refusal of a caller whose token a long answer found dead; the token is forgotten,
    /// as `settle` forgets one.
    func deadToken(of caller: Caller) -> GalleyError {
        if caller.session != nil { return SessionService.sessionEnded }
        guard let token = caller.token else {
            return .unauthenticated(
                "\(caller.principal.name) was deactivated or changed while this ran; run it again if they may still do it.")
        }
        caches.tokens.remove(token.hash)
        return ActorService.unknownToken
    }

    /// The request's first statement waits for its credential to be confirmed.
    private func confirmRequestCredential() async throws {
        try await confirm(Credential.ofRequest)
    }

    /// Runs `body`, with the database's infrastructure failures (connection, pool) surfacing
    /// as `GalleyError.unavailable`; server refusals and decoding errors pass as they are, and a
    /// parameter the driver cannot send (NUL) is a validation error.
    private static func unavailableWhenUnreachable<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as PostgresError where error.kind == .unsendableParameter {
            // The services refuse NUL in each field by name; this is the backstop for any text they missed.
            throw GalleyError.validation([.init(field: "text", message: Validation.nulRequirement)])
        } catch let error as PostgresError where error.kind != .server && error.kind != .decoding {
            throw GalleyError.unavailable(error.message)
        } catch let error as PostgresError where error.sqlState == SQLState.queryCanceled {
            // Only the server's own shutdown cancels statements: another server can answer.
            throw GalleyError.unavailable("the request was cancelled while the server shut down")
        }
    }
}
