import Foundation
import Galley
import Testing

/// Settings come from the environment; every default works on a laptop and every bad value
/// is refused with the variable, the value and what would be accepted.
@Suite struct ConfigurationTests {
    @Test func defaultsWorkOnALaptop() throws {
        let configuration = try GalleyConfiguration(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.poolSize == max(4, 2 * ProcessInfo.processInfo.activeProcessorCount))
        #expect(configuration.sharedSessions == 1)
        #expect(configuration.postgres.sharedSessions == 1)
        #expect(configuration.readCacheMegabytes == 32)
        #expect(configuration.httpThreads == max(1, ProcessInfo.processInfo.activeProcessorCount / 2))
        #expect(configuration.logLevel == .info)
    }

    @Test func valuesAreReadAndBadOnesRefusedWithWhatWouldDo() throws {
        let configuration = try GalleyConfiguration(environment: [
            "GALLEY_HTTP_THREADS": "3", "GALLEY_PORT": "9090", "GALLEY_DB_SHARED_SESSIONS": "0",
        ])
        #expect(configuration.httpThreads == 3)
        #expect(configuration.port == 9090)
        #expect(configuration.postgres.sharedSessions == 0)
        for (variable, value, expected) in [
            ("GALLEY_HTTP_THREADS", "0", "a whole number from 1 to 256"),
            ("GALLEY_PORT", "http", "a whole number from 1 to 65535"),
            ("GALLEY_DB_SHARED_SESSIONS", "-1", "a whole number from 0 to 64"),
            ("GALLEY_LOG_LEVEL", "loud", "one of trace, debug, info, notice, warning, error, critical"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try GalleyConfiguration(environment: [variable: value]) }
            #expect(error?.description == "\(variable)=\(value) is not valid: expected \(expected)")
        }
    }

    @Test func theIdempotencyTTLIsADurationOfTenMinutesToNinetyDays() throws {
        #expect(try GalleyConfiguration(environment: [:]).idempotencyTTL == 86400)
        #expect(try GalleyConfiguration(environment: ["GALLEY_IDEMPOTENCY_TTL": "90m"]).idempotencyTTL == 5400)
        #expect(try GalleyConfiguration(environment: ["GALLEY_IDEMPOTENCY_TTL": "7d"]).idempotencyTTL == 7 * 86400)
        #expect(try GalleyConfiguration(environment: ["GALLEY_IDEMPOTENCY_TTL": "3600"]).idempotencyTTL == 3600)
        for value in ["5m", "91d", "1w", "h", "-1h", "99999999999999999d"] {
            let error = #expect(throws: ConfigurationError.self) { try GalleyConfiguration(environment: ["GALLEY_IDEMPOTENCY_TTL": value]) }
            #expect(error?.description.hasSuffix("expected a duration from 10 minutes to 90 days, such as 24h, 90m or 86400") == true)
        }
    }

    /// Behind a pooler, what needs a session of its own is told where to go, and the pool
    /// prepares nothing; without the session's address the pooler setting is refused.
    @Test func aPoolerNeedsADirectSessionURL() throws {
        let direct = try GalleyConfiguration(environment: ["DATABASE_URL": "dbname=galley"])
        #expect(direct.sessionURL == "dbname=galley" && direct.migrateURL == "dbname=galley" && direct.postgres.preparesStatements)
        let pooled = try GalleyConfiguration(environment: [
            "DATABASE_URL": "port=6432 dbname=galley", "GALLEY_DATABASE_POOLER": "pgbouncer",
            "GALLEY_DATABASE_SESSION_URL": "port=5432 dbname=galley",
        ])
        #expect(pooled.sessionURL == "port=5432 dbname=galley" && pooled.migrateURL == "port=5432 dbname=galley")
        #expect(!pooled.postgres.preparesStatements && pooled.postgres.sharedSessions == 0)
        let missing = #expect(throws: ConfigurationError.self) {
            try GalleyConfiguration(environment: ["DATABASE_URL": "port=6432", "GALLEY_DATABASE_POOLER": "pgbouncer"])
        }
        #expect(missing?.variable == "GALLEY_DATABASE_SESSION_URL")
        let unknown = #expect(throws: ConfigurationError.self) { try GalleyConfiguration(environment: ["GALLEY_DATABASE_POOLER": "odyssey"]) }
        #expect(unknown?.description == "GALLEY_DATABASE_POOLER=odyssey is not valid: expected pgbouncer, or unset for a direct connection")
    }
}
