import ArgumentParser
import Foundation
import Galley
import GalleyCore
import GalleyHTTP
import Hummingbird
import Logging
import Postgres
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API server.")

    @Option(help: "Port to listen on (default: GALLEY_PORT or 8080).")
    var port: Int?

    @Option(help: "Address to bind (default: GALLEY_HOST or 127.0.0.1).")
    var host: String?

    func validate() throws {
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be 1 to 65535, not \(port).") }
    }

    func run() async throws {
        var configuration = try loadConfiguration()
        if let port { configuration.port = port }
        if let host { configuration.host = host }
        if let path = configuration.sealKeyPath {
            let hint =
                "`galley keys init` creates one (and `galley keys rotate` gives a file a new signing key); unset GALLEY_SEAL_KEY to seal unsigned."
            do {
                guard try SealKeyFile(path: path).ring().signingKey != nil else {
                    throw CLIError("GALLEY_SEAL_KEY=\(path) holds no signing key.", hint: hint)
                }
            } catch let error as GalleyError {
                let reason = if case .validation(let problems) = error { problems.map(\.message).joined(separator: "; ") } else { error.message }
                throw CLIError("GALLEY_SEAL_KEY=\(path) cannot be used: \(reason).", hint: hint)
            }
        }
        setHTTPThreads(configuration.httpThreads)
        let logger = makeLogger(configuration, label: "galley.serve")
        let traceExport = try TraceExport.start(
            environment: ProcessInfo.processInfo.environment, logger: makeLogger(configuration, label: "galley.traces"))
        let metrics = HTTPMetrics.forProcess()
        let observer: any PostgresObserver = traceExport == nil ? metrics.database : PostgresObservers([metrics.database, DatabaseSpans()])
        var postgres = configuration.postgres
        postgres.observer = observer
        let pool = PostgresPool(configuration: postgres)
        let readPool = configuration.readPostgres.map { replica in
            var replica = replica
            replica.observer = observer
            return PostgresPool(configuration: replica)
        }
        let sessionPool = configuration.sessionPostgres.map { session in
            var session = session
            session.observer = observer
            return PostgresPool(configuration: session)
        }
        let drain = ShutdownDrain(delay: .seconds(configuration.shutdownDrainSeconds))
        let app = buildApplication(
            configuration: configuration, pool: pool, readPool: readPool, sessionPool: sessionPool, drain: drain, logger: logger, metrics: metrics,
            tracing: traceExport != nil)
        Task { await Self.warnIfPrivileged(pool, logger) }
        // The exporter runs beside the server and stops after it, sending the last spans; the
        // drain, listed last, is shut down first, while the server still answers.
        var group = ServiceGroupConfiguration(
            services: [.init(service: app)] + (traceExport.map { [.init(service: $0)] } ?? []) + [.init(service: drain)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(configuration.shutdownTimeoutSeconds)
        let services = ServiceGroup(configuration: group)
        try await services.run()
        await pool.close()
        await readPool?.close()
        await sessionPool?.close()
    }

    /// Serving as a superuser or a table owner is not refused (an operator may have reasons),
    /// but said loudly: the audit log's append-only triggers then guard against mistakes only.
    private static func warnIfPrivileged(_ pool: PostgresPool, _ logger: Logger) async {
        do {
            if let warning = try await DatabaseLogin.inspect(pool).warning {
                logger.warning("\(warning)")
            }
        } catch {
            logger.debug("could not check the database login's privileges", metadata: ["error": "\(error)"])
        }
    }
}
