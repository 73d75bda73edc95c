import Galley
import Hummingbird
import Logging
import Postgres

/// Builds the HTTP application; shared by `galley serve` and the tests.
public func buildApplication(
    configuration: GalleyConfiguration,
    pool: PostgresPool,
    logger: Logger
) -> some ApplicationProtocol {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ProblemMiddleware())
    HealthRoutes(pool: pool).register(on: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "galley"),
        logger: logger
    )
}
