import Galley
import Hummingbird
import Logging
import NIOCore
import Postgres

/// Sets how many threads NIO's shared event loops get (`GALLEY_HTTP_THREADS`): they carry the
/// server's connections and the webhook client's. Call once, before anything starts them.
public func setHTTPThreads(_ count: Int) {
    NIOSingletons.groupLoopCountSuggestion = count
}

/// Builds the HTTP application; shared by `galley serve` and the tests. With `tracing`, each
/// request is a span (its `traceparent` honoured) that the domain's and the database's spans
/// go under; without it no request pays for tracing at all.
public func buildApplication(
    configuration: GalleyConfiguration,
    pool: PostgresPool,
    readPool: PostgresPool? = nil,
    sessionPool: PostgresPool? = nil,
    drain: ShutdownDrain? = nil,
    logger: Logger,
    metrics: HTTPMetrics = HTTPMetrics(),
    backgroundWork: Bool = true,
    tracing: Bool = false
) -> some ApplicationProtocol {
    let services = GalleyServices(
        environment: GalleyEnvironment(
            pool: pool, webhookPolicy: configuration.webhookPolicy, caches: ReadCaches(megabytes: configuration.readCacheMegabytes),
            idempotencyTTL: configuration.idempotencyTTL, eventRetention: configuration.eventRetention,
            sealKey: configuration.sealKeyPath.map(SealKeyFile.init),
            replica: readPool.map { ReplicaReads(pool: $0, readYourWrites: .seconds(configuration.readYourWritesSeconds)) },
            sessionPool: sessionPool))
    let notifier = EventNotifier(connectionString: configuration.sessionURL, logger: logger)
    var app = Application(
        router: buildRouter(
            services: services, pool: pool, metrics: metrics, notifier: notifier, drain: drain,
            desk: DeskSettings(publicURLIsHTTPS: configuration.publicURL?.scheme?.lowercased() == "https"),
            tracing: tracing,
            content: ContentSettings(
                cacheMegabytes: configuration.contentCacheMegabytes, rateLimit: configuration.contentRate,
                publicReviewers: configuration.publicReviewers, publicURL: configuration.publicURL,
                publicationName: configuration.publicationName, publicationLanguage: configuration.publicationLanguage,
                articleURL: configuration.articleURL)),
        // Hummingbird's idle timeout also bounds a request that stops arriving half-way.
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.httpIdleTimeoutSeconds)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "galley"),
        logger: logger
    )
    if backgroundWork {
        if configuration.sealKeyPath == nil {
            logger.notice("audit seals are recorded unsigned: GALLEY_SEAL_KEY is not set (see docs/audit.md, \"Signed seals\")")
        }
        app.addServices(BackgroundWork(services: services, metrics: metrics, logger: logger))
        app.addServices(WebhookDispatcher(services: services, notifier: notifier, metrics: metrics, logger: logger))
    }
    app.addServices(notifier)
    return app
}

/// Every route of the API, in one place (the contract test compares them with openapi.yaml),
/// the published side under /content, and the review desk's pages under /desk.
public func buildRouter(
    services: GalleyServices, pool: PostgresPool, metrics: HTTPMetrics, notifier: EventNotifier? = nil, drain: ShutdownDrain? = nil,
    desk: DeskSettings = .init(), tracing: Bool = false, content: ContentSettings = .init()
) -> Router<GalleyRequestContext> {
    let router = Router(context: GalleyRequestContext.self)
    if tracing { router.add(middleware: RequestSpanMiddleware()) }
    router.add(middleware: RequestEnvelopeMiddleware(metrics: metrics))
    if let limit = content.rateLimit { router.add(middleware: PublicRateLimitMiddleware(limiter: AddressRateLimiter(limit: limit))) }
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: QueryTextMiddleware())
    ServiceRoutes(services: services, pool: pool, metrics: metrics, drain: drain).register(on: router)
    SealRoutes(services: services).register(on: router)
    ContentRoutes(services: services, settings: content, metrics: metrics).register(on: router)
    let v1 = router.group("v1").add(middleware: AuthMiddleware(services: services))
    ArticleRoutes(services: services).register(on: v1)
    ReviewRoutes(services: services).register(on: v1)
    CommentRoutes(services: services).register(on: v1)
    QueueRoutes(services: services).register(on: v1)
    GenerationRoutes(services: services).register(on: v1)
    AuditRoutes(services: services).register(on: v1)
    AdminRoutes(services: services).register(on: v1)
    SessionRoutes(services: services).register(on: v1)
    WebhookRoutes(services: services).register(on: v1)
    EventRoutes(services: services, notifier: notifier).register(on: v1)
    DeskRoutes(services: services, settings: desk, notifier: notifier).register(on: router)
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}
