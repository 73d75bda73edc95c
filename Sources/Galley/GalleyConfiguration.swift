import Foundation
import GalleyCore
import Logging
import Postgres

/// Settings read from the environment, each with a default that works on a laptop.
public struct GalleyConfiguration: Sendable {
    /// `DATABASE_URL`; empty means libpq's own `PG*` variables and defaults. The server and
    /// the editorial CLI log in with it: as a member of `galley_app`, owning nothing.
    public var databaseURL: String
    /// `GALLEY_MIGRATE_URL`: the owner's login, for `galley migrate` only (it creates and
    /// alters the tables, under a session's advisory lock); unset means `sessionURL`.
    public var migrateURL: String
    /// `GALLEY_DATABASE_POOLER`: `pgbouncer` when `databaseURL` leads through a pooler in
    /// transaction mode (each transaction may run on another server session): statements
    /// are then sent unprepared and no sessions are shared (`PostgresConfiguration`).
    public var pooler: Pooler?
    /// `GALLEY_DATABASE_SESSION_URL`: a direct connection (not through the pooler) for what
    /// needs a session of its own: the event listener's LISTEN, the pruning run's lock
    /// (`sessionPostgres`) and the migrations' lock.
    /// Required with `pooler`; unset without it means `databaseURL`.
    public var sessionURL: String

    public enum Pooler: String, Sendable {
        case pgbouncer
    }
    /// `GALLEY_DATABASE_READ_URL`: a streaming replica (libpq URL; several hosts with
    /// `target_session_attrs=prefer-standby` allowed) for lists, search, the queue, exports
    /// and the content API (`ReplicaReads`); unset, every read goes to `databaseURL`.
    public var readURL: String?
    /// `GALLEY_READ_YOUR_WRITES`, seconds, default 10: how long after a request that may have
    /// written its caller's reads stay on the primary rather than a replica that may trail.
    public var readYourWritesSeconds: Int
    /// `GALLEY_PORT`, default 8080.
    public var port: Int
    /// `GALLEY_HOST`, default 127.0.0.1.
    public var host: String
    /// `GALLEY_LOG_LEVEL`: trace, debug, info (default), notice, warning, error, critical.
    public var logLevel: Logger.Level
    /// `GALLEY_DB_POOL_SIZE`, default twice the cores, at least 4: about what a database
    /// with this machine's cores runs at once. Statements beyond that only queue inside it,
    /// where the slow ones (a create's search vector) hold up the rest; queued here, they
    /// wait in order (docs/decisions.md).
    public var poolSize: Int
    /// `GALLEY_DB_SHARED_SESSIONS`, default 1: sessions beyond the pool that article reads
    /// share for their token-and-version check, pipelined (`PostgresPool.quickRead`); 0 sends
    /// it on the pool's sessions. One session batches the most statements per wake-up of its
    /// backend (docs/benchmarks.md).
    public var sharedSessions: Int
    /// `GALLEY_WEBHOOK_ALLOW`: hosts and CIDRs webhooks may call although they are private,
    /// loopback or link-local (refused by default; see docs/events.md).
    public var webhookPolicy: WebhookAddressPolicy
    /// `GALLEY_READ_CACHE_MB`, default 32: memory for revisions and article details kept
    /// between requests (`ReadCaches`); 0 reads everything from the database every time.
    public var readCacheMegabytes: Int
    /// `GALLEY_CONTENT_CACHE_MB`, default 64: memory for the content API's rendered answers,
    /// kept until something readers can see changes (docs/content.md); 0 renders every time.
    public var contentCacheMegabytes: Int
    /// `GALLEY_PUBLIC_REVIEWERS`: `roles` (default) or `names`, whether the public review
    /// record names the people who checked an article or only says their roles.
    public var publicReviewers: PublicReviewers
    /// `GALLEY_CONTENT_RATE`, default `50/s burst 100`: what one client address may ask of
    /// the published side (docs/content.md, "Rate limit"); `off` (nil) for a server behind
    /// a cache that limits, or for a benchmark.
    public var contentRate: RateLimit?
    /// `GALLEY_HTTP_THREADS`: threads reading and writing HTTP connections, default half the
    /// cores (at least one). Requests are handled on Swift's own pool, one thread per core;
    /// more I/O threads than that only compete with it for the cores.
    public var httpThreads: Int
    /// `GALLEY_HTTP_IDLE_TIMEOUT`, seconds, default 30: a connection that sends nothing for
    /// that long while no response is being written (a request head or body that stalls
    /// half-way, or an idle keep-alive) is closed, so slow clients cannot hold connections.
    public var httpIdleTimeoutSeconds: Int
    /// `GALLEY_SHUTDOWN_TIMEOUT`, seconds, default 30: how long `galley serve` lets requests in
    /// flight finish after SIGTERM before it cancels them (and their transactions roll back),
    /// so one request stuck behind a lock cannot keep the process alive.
    public var shutdownTimeoutSeconds: Int
    /// `GALLEY_SHUTDOWN_DRAIN`, seconds, default 0: how long after SIGTERM `galley serve` keeps
    /// accepting requests while `/readyz` answers 503, so that a load balancer checking it
    /// stops sending requests before the server stops taking them (`ShutdownDrain`).
    public var shutdownDrainSeconds: Int
    /// `GALLEY_IDEMPOTENCY_TTL`, default 24 hours: how long an `Idempotency-Key` and its
    /// answer are kept; seconds, or a number with `s`, `m`, `h` or `d` (`90m`, `7d`).
    public var idempotencyTTL: TimeInterval
    /// `GALLEY_EVENT_RETENTION`, default 30 days: how long the event stream's rows and
    /// finished webhook deliveries (with their attempts) are kept before `galley serve` prunes
    /// them. The audit log is never pruned.
    public var eventRetention: TimeInterval
    /// `GALLEY_MIGRATION_LOCK_TIMEOUT`, default 5 seconds: the longest a migration's statement
    /// waits for a lock, so that it never queues the newsroom's writes behind it for longer.
    public var migrationLockTimeout: TimeInterval
    /// `GALLEY_PUBLIC_URL`: the address people reach this server at, e.g.
    /// `https://galley.example.org`; when it is https the desk's cookie is sent only over TLS.
    public var publicURL: URL?
    /// `GALLEY_PUBLICATION_NAME`, default "Galley": the publication's name in the Atom feed
    /// and the news sitemap, as Google News knows it.
    public var publicationName: String
    /// `GALLEY_PUBLICATION_LANGUAGE`, default `en`: the ISO 639 code of the articles'
    /// language (`zh-cn` and `zh-tw` for Chinese), as Google News requires it.
    public var publicationLanguage: String
    /// `GALLEY_ARTICLE_URL`: where readers find an article on the site, `{slug}` standing
    /// for its slug, e.g. `https://news.example.org/articles/{slug}`; unset, the feeds link
    /// to the content API's `/content/v1/articles/{slug}`.
    public var articleURL: String?
    /// `GALLEY_SEAL_KEY`: the path of the file holding the key that signs audit seals
    /// (`galley keys init` creates it); unset, seals are recorded unsigned.
    public var sealKeyPath: String?

    public static let defaultIdempotencyTTL: TimeInterval = 24 * 3600
    public static let defaultEventRetention: TimeInterval = 30 * 24 * 3600

    public init(environment: [String: String]) throws {
        databaseURL = environment["DATABASE_URL"] ?? ""
        let poolerName = environment["GALLEY_DATABASE_POOLER"] ?? ""
        if poolerName.isEmpty {
            pooler = nil
        } else {
            guard let known = Pooler(rawValue: poolerName) else {
                throw ConfigurationError(
                    variable: "GALLEY_DATABASE_POOLER", value: poolerName, expected: "pgbouncer, or unset for a direct connection")
            }
            pooler = known
        }
        let session = environment["GALLEY_DATABASE_SESSION_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if pooler != nil && session == nil {
            throw ConfigurationError(
                variable: "GALLEY_DATABASE_SESSION_URL", value: "",
                expected: "a direct connection to PostgreSQL, not through the pooler, with GALLEY_DATABASE_POOLER=\(poolerName) "
                    + "(LISTEN and the migrations' lock need a session of their own)")
        }
        sessionURL = session ?? databaseURL
        migrateURL = environment["GALLEY_MIGRATE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? sessionURL
        readURL = environment["GALLEY_DATABASE_READ_URL"].flatMap { $0.isEmpty ? nil : $0 }
        readYourWritesSeconds = try Self.integer(environment, "GALLEY_READ_YOUR_WRITES", default: 10, range: 0...3600)
        host = environment["GALLEY_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = try Self.integer(environment, "GALLEY_PORT", default: 8080, range: 1...65535)
        poolSize = try Self.integer(
            environment, "GALLEY_DB_POOL_SIZE", default: max(4, 2 * ProcessInfo.processInfo.activeProcessorCount), range: 1...1000)
        sharedSessions = try Self.integer(environment, "GALLEY_DB_SHARED_SESSIONS", default: 1, range: 0...64)
        readCacheMegabytes = try Self.integer(
            environment, "GALLEY_READ_CACHE_MB", default: ReadCaches.defaultMegabytes, range: 0...65536)
        contentCacheMegabytes = try Self.integer(environment, "GALLEY_CONTENT_CACHE_MB", default: 64, range: 0...65536)
        let reviewers = environment["GALLEY_PUBLIC_REVIEWERS"] ?? ""
        guard let publicReviewers = reviewers.isEmpty ? .roles : PublicReviewers(rawValue: reviewers) else {
            throw ConfigurationError(
                variable: "GALLEY_PUBLIC_REVIEWERS", value: reviewers,
                expected: "names (the record names each reviewer) or roles (it says only their roles; the default)")
        }
        self.publicReviewers = publicReviewers
        contentRate = try Self.rateLimit(environment, "GALLEY_CONTENT_RATE", default: .contentDefault)
        httpThreads = try Self.integer(
            environment, "GALLEY_HTTP_THREADS", default: max(1, ProcessInfo.processInfo.activeProcessorCount / 2), range: 1...256)
        httpIdleTimeoutSeconds = try Self.integer(environment, "GALLEY_HTTP_IDLE_TIMEOUT", default: 30, range: 1...3600)
        shutdownTimeoutSeconds = try Self.integer(environment, "GALLEY_SHUTDOWN_TIMEOUT", default: 30, range: 1...3600)
        shutdownDrainSeconds = try Self.integer(environment, "GALLEY_SHUTDOWN_DRAIN", default: 0, range: 0...300)
        idempotencyTTL = try Self.duration(
            environment, "GALLEY_IDEMPOTENCY_TTL", default: Self.defaultIdempotencyTTL, range: 600...(90 * 24 * 3600))
        eventRetention = try Self.duration(
            environment, "GALLEY_EVENT_RETENTION", default: Self.defaultEventRetention, range: 3600...(3650 * 24 * 3600))
        migrationLockTimeout = try Self.duration(environment, "GALLEY_MIGRATION_LOCK_TIMEOUT", default: 5, range: 1...600)
        do {
            webhookPolicy = try WebhookAddressPolicy(allowList: environment["GALLEY_WEBHOOK_ALLOW"] ?? "")
        } catch {
            throw ConfigurationError(
                variable: "GALLEY_WEBHOOK_ALLOW", value: environment["GALLEY_WEBHOOK_ALLOW"] ?? "",
                expected: "comma-separated hosts, IP addresses and CIDRs such as 127.0.0.1,10.0.0.0/8")
        }
        if let text = environment["GALLEY_PUBLIC_URL"], !text.isEmpty {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ConfigurationError(
                    variable: "GALLEY_PUBLIC_URL", value: text, expected: "an http or https URL such as https://galley.example.org")
            }
            publicURL = url
        } else {
            publicURL = nil
        }
        publicationName = try Self.publicationName(environment["GALLEY_PUBLICATION_NAME"])
        publicationLanguage = environment["GALLEY_PUBLICATION_LANGUAGE"].flatMap { $0.isEmpty ? nil : $0 } ?? "en"
        guard Self.isNewsLanguage(publicationLanguage) else {
            throw ConfigurationError(
                variable: "GALLEY_PUBLICATION_LANGUAGE", value: publicationLanguage,
                expected: "an ISO 639 language code of 2 or 3 lowercase letters such as en or fr, or zh-cn or zh-tw")
        }
        articleURL = try Self.articleURL(environment["GALLEY_ARTICLE_URL"])
        sealKeyPath = environment["GALLEY_SEAL_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let level = environment["GALLEY_LOG_LEVEL"], !level.isEmpty {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError(
                    variable: "GALLEY_LOG_LEVEL", value: level,
                    expected: "one of trace, debug, info, notice, warning, error, critical")
            }
            logLevel = parsed
        } else {
            logLevel = .info
        }
    }

    public var postgres: PostgresConfiguration {
        PostgresConfiguration(
            connectionString: databaseURL, maxConnections: poolSize, sharedSessions: sharedSessions, preparesStatements: pooler == nil)
    }

    /// A pool of `size` on `databaseURL` for a command-line tool: no shared sessions.
    public func postgres(size: Int) -> PostgresConfiguration {
        PostgresConfiguration(connectionString: databaseURL, maxConnections: size, preparesStatements: pooler == nil)
    }

    /// One direct session for pruning runs (a session's advisory lock held across their
    /// transactions) when `databaseURL` leads through a pooler; nil: they use the pool.
    public var sessionPostgres: PostgresConfiguration? {
        pooler == nil ? nil : PostgresConfiguration(connectionString: sessionURL, maxConnections: 1)
    }

    /// The replica's pool, as large as the primary's (and through the pooler, if any, as the
    /// primary's is); nil without `readURL`.
    public var readPostgres: PostgresConfiguration? {
        readURL.map { PostgresConfiguration(connectionString: $0, maxConnections: poolSize, preparesStatements: pooler == nil) }
    }

    private static func publicationName(_ text: String?) throws -> String {
        guard let text, !text.isEmpty else { return "Galley" }
        let name = text.trimmingCharacters(in: .whitespaces)
        guard (1...200).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ConfigurationError(
                variable: "GALLEY_PUBLICATION_NAME", value: text, expected: "a name of 1 to 200 characters without control characters")
        }
        return name
    }

    /// Google News's languages: ISO 639 codes of two or three letters, and two for Chinese.
    static func isNewsLanguage(_ code: String) -> Bool {
        code == "zh-cn" || code == "zh-tw" || ((2...3).contains(code.count) && code.unicodeScalars.allSatisfy { ("a"..."z").contains($0) })
    }

    private static func articleURL(_ text: String?) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        let sample = text.replacingOccurrences(of: "{slug}", with: "a-slug")
        guard text.contains("{slug}"), text.utf8.count <= 1000, let url = URL(string: sample),
            ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false
        else {
            throw ConfigurationError(
                variable: "GALLEY_ARTICLE_URL", value: text,
                expected: "an http or https URL with {slug} in it, such as https://news.example.org/articles/{slug}")
        }
        return text
    }

    /// Seconds, or a whole number with a unit: `s`, `m`, `h`, `d`.
    private static func duration(
        _ environment: [String: String], _ name: String, default value: TimeInterval, range: ClosedRange<Int>
    ) throws -> TimeInterval {
        guard let text = environment[name], !text.isEmpty else { return value }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let unit = text.last.flatMap { units[$0] }
        let seconds = Int(unit == nil ? Substring(text) : text.dropLast()).flatMap { $0.multipliedReportingOverflow(by: unit ?? 1) }
        guard let seconds, !seconds.overflow, range.contains(seconds.partialValue) else {
            throw ConfigurationError(
                variable: name, value: text,
                expected: "a duration from \(spoken(range.lowerBound)) to \(spoken(range.upperBound)) in seconds, or with s, m, h or d, "
                    + "such as 24h, 90m or 86400")
        }
        return TimeInterval(seconds.partialValue)
    }

    private static func rateLimit(_ environment: [String: String], _ name: String, default value: RateLimit) throws -> RateLimit? {
        guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return value }
        if text.lowercased() == "off" { return nil }
        guard let limit = RateLimit(text) else {
            throw ConfigurationError(variable: name, value: text, expected: RateLimit.expectedText)
        }
        return limit
    }

    /// `600` as "10 minutes", `7776000` as "90 days".
    private static func spoken(_ seconds: Int) -> String {
        let units = [(86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]
        let (size, name) = units.first { seconds % $0.0 == 0 && seconds >= $0.0 } ?? (1, "second")
        let count = seconds / size
        return "\(count) \(name)\(count == 1 ? "" : "s")"
    }

    private static func integer(_ environment: [String: String], _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = environment[name], !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(variable: name, value: text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let variable: String
    public let value: String
    public let expected: String

    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(variable)=\(value) is not valid: expected \(expected)" }
}
