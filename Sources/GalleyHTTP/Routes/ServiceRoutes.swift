import Foundation
import Galley
import Hummingbird
import Postgres

/// Service endpoints outside /v1: liveness, readiness, metrics and the API contract.
struct ServiceRoutes {
    let services: GalleyServices
    let pool: PostgresPool
    let metrics: HTTPMetrics
    var drain: ShutdownDrain? = nil

    func register(on router: Router<GalleyRequestContext>) {
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, context in
            if drain?.isDraining == true { throw Problem.shuttingDown }
            do {
                try await pool.execute("SELECT 1")
            } catch {
                // libpq's text names hosts and users: the log gets it, unauthenticated callers do not.
                context.logger.error("not ready: the database does not answer", metadata: ["error": "\(error)"])
                throw Problem.databaseUnavailable
            }
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        }
        router.get("metrics") { _, context in
            do {
                metrics.tableSizes(try await services.retention.tableSizes())
            } catch {
                // The rest of the metrics still answer while the database does not.
                context.logger.warning("metrics: table sizes unavailable", metadata: ["error": "\(error)"])
            }
            // The replica's replay is asked at each scrape: a gauge of the moment, no task between.
            let replay = await services.environment.replica?.replay()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: await metrics.exposition(pool: pool, services: services, replay: replay))))
        }
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: .init(byteBuffer: ByteBuffer(bytes: try OpenAPIDocument.bytes())))
        }
    }
}

/// The committed contract, `Sources/GalleyHTTP/openapi.yaml`, shipped as a resource.
public enum OpenAPIDocument {
    public static func bytes() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw Problem.notFound("The OpenAPI document is not installed next to the server binary.")
        }
        return try Data(contentsOf: url)
    }
}
