import Foundation
import Galley
import GalleyCore
import Postgres

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// One command's way to the database: a small pool, the domain services, and who is acting.
struct Session: Sendable {
    let pool: PostgresPool
    let services: GalleyServices
    /// Stored on every audit event this command writes, to tell its changes apart.
    let requestID = "cli-" + UUID.random().lowercasedString

    /// Runs `body` with a session and always closes its connections.
    static func with<Result>(_ body: (Session) async throws -> Result) async throws -> Result {
        let configuration = try loadConfiguration()
        let pool = PostgresPool(configuration: configuration.postgres(size: 2))
        let sessionPool = configuration.sessionPostgres.map(PostgresPool.init)
        let services = GalleyServices(
            environment: GalleyEnvironment(
                pool: pool, webhookPolicy: configuration.webhookPolicy, caches: ReadCaches(megabytes: configuration.readCacheMegabytes),
                wakeUp: EventWakeUp(pool: pool, mode: .afterEachCommit), idempotencyTTL: configuration.idempotencyTTL,
                eventRetention: configuration.eventRetention, sealKey: configuration.sealKeyPath.map(SealKeyFile.init),
                sessionPool: sessionPool))
        let session = Session(pool: pool, services: services)
        do {
            let result = try await body(session)
            await pool.close()
            await sessionPool?.close()
            return result
        } catch {
            await pool.close()
            await sessionPool?.close()
            throw error
        }
    }

    /// The named actor; its roles decide what the domain allows.
    func caller(_ options: ActorOptions) async throws -> Caller {
        try await caller(named: options.name())
    }

    func caller(named name: String) async throws -> Caller {
        guard let actor = try await services.actors.find(name: name) else {
            throw GalleyError.notFound(kind: "actor", id: name)
        }
        // A deactivated actor acts nowhere, as their tokens authenticate nothing.
        guard actor.active else {
            throw GalleyError.unauthenticated("\(name) is deactivated; `galley actors activate \(name)` switches them on again.")
        }
        return Caller(actor: actor, requestID: requestID)
    }

    /// The database operator, for bootstrap commands: audited as `operator:<os user>`.
    var operatorCaller: Caller {
        Caller(principal: .operator(osUser: Self.osUser), requestID: requestID)
    }

    static var osUser: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }
}
