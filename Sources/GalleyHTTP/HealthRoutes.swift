import Hummingbird
import Postgres

/// `/healthz` answers while the process runs; `/readyz` only while the database answers.
struct HealthRoutes {
    let pool: PostgresPool

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("healthz") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, _ in
            do {
                try await pool.execute("SELECT 1")
            } catch {
                throw Problem(
                    status: .serviceUnavailable, type: "database-unavailable", title: "Database unavailable",
                    detail: "The database does not answer, so Galley is not ready: \(error)")
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        }
    }
}
