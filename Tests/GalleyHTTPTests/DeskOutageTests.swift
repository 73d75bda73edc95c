import Foundation
import Galley
import GalleyHTTP
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import Testing

/// The desk when the database does not answer: the API's fixed words, never libpq's text.
@Suite struct DeskOutageTests {
    @Test func aDeskPageOverADeadDatabaseShowsFixedWordsNotTheConnectionString() async throws {
        let pool = PostgresPool(configuration: .init(connectionString: "host=127.0.0.1 port=1 connect_timeout=2", maxConnections: 1))
        let app = buildApplication(configuration: try .init(environment: [:]), pool: pool, logger: TestRunLog.logger(), backgroundWork: false)
        try await app.test(.router) { client in
            // A visitor who is not signed in, with a stale cookie: the session look-up fails.
            try await client.execute(uri: "/desk", method: .get, headers: [.cookie: "galley_session=stale"]) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .serviceUnavailable)
                #expect(page.contains("The database does not answer; try again shortly."))
                #expect(!HealthTests.leaksConnectionDetails(page), "\(page)")
            }
        }
        await pool.close()
    }
}
