import Foundation
import Galley
import GalleyCore
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
        #expect(configuration.contentRate == RateLimit(requests: 50, per: .second, burst: 100))
    }

    @Test func theContentRateIsARateWithABurstOrOff() throws {
        #expect(try GalleyConfiguration(environment: ["GALLEY_CONTENT_RATE": "off"]).contentRate == nil)
        #expect(try GalleyConfiguration(environment: ["GALLEY_CONTENT_RATE": "600/m"]).contentRate == RateLimit(requests: 600, per: .minute))
        #expect(
            try GalleyConfiguration(environment: ["GALLEY_CONTENT_RATE": "200/s burst 400"]).contentRate
                == RateLimit(requests: 200, per: .second, burst: 400))
        for value in ["fast", "0/s", "50/h", "50/s burst", "50/s burst 0", "50 burst 100", "50/s 100"] {
            let error = #expect(throws: ConfigurationError.self) { try GalleyConfiguration(environment: ["GALLEY_CONTENT_RATE": value]) }
            #expect(
                error?.description
                    == "GALLEY_CONTENT_RATE=\(value) is not valid: expected off, or requests per second or minute with an optional burst (1 to 1000000), such as 50/s burst 100 or 600/m"
            )
        }
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
            #expect(
                error?.description.hasSuffix(
                    "expected a duration from 10 minutes to 90 days in seconds, or with s, m, h or d, such as 24h, 90m or 86400")
                    == true)
        }
    }

    @Test func theEventRetentionIsADurationOfAnHourToTenYears() throws {
        #expect(try GalleyConfiguration(environment: [:]).eventRetention == 30 * 86400)
        #expect(try GalleyConfiguration(environment: ["GALLEY_EVENT_RETENTION": "7d"]).eventRetention == 7 * 86400)
        for value in ["30m", "3651d", "month"] {
            let error = #expect(throws: ConfigurationError.self) { try GalleyConfiguration(environment: ["GALLEY_EVENT_RETENTION": value]) }
            #expect(error?.description.contains("expected a duration from 1 hour to 3650 days") == true, "\(String(describing: error))")
        }
    }

    @Test func theMigrationLockTimeoutIsOneSecondToTenMinutes() throws {
        #expect(try GalleyConfiguration(environment: [:]).migrationLockTimeout == 5)
        #expect(try GalleyConfiguration(environment: ["GALLEY_MIGRATION_LOCK_TIMEOUT": "30s"]).migrationLockTimeout == 30)
        for value in ["0", "11m", "5 s"] {
            let error = #expect(throws: ConfigurationError.self) {
                try GalleyConfiguration(environment: ["GALLEY_MIGRATION_LOCK_TIMEOUT": value])
            }
            #expect(error?.description.contains("expected a duration from 1 second to 10 minutes") == true, "\(String(describing: error))")
        }
    }

    @Test func theFeedsPublicationAndArticleAddressAreCheckedSettings() throws {
        let defaults = try GalleyConfiguration(environment: [:])
        #expect(defaults.publicationName == "Galley")
        #expect(defaults.publicationLanguage == "en")
        #expect(defaults.articleURL == nil)
        let set = try GalleyConfiguration(environment: [
            "GALLEY_PUBLICATION_NAME": " The Example Times ", "GALLEY_PUBLICATION_LANGUAGE": "zh-tw",
            "GALLEY_ARTICLE_URL": "https://news.example.org/a/{slug}.html",
        ])
        #expect(set.publicationName == "The Example Times")
        #expect(set.publicationLanguage == "zh-tw")
        #expect(set.articleURL == "https://news.example.org/a/{slug}.html")
        let refused: [(String, String)] = [
            ("GALLEY_PUBLICATION_NAME", "Tab\tTimes"), ("GALLEY_PUBLICATION_NAME", String(repeating: "x", count: 201)),
            ("GALLEY_PUBLICATION_LANGUAGE", "EN"), ("GALLEY_PUBLICATION_LANGUAGE", "en-US"), ("GALLEY_PUBLICATION_LANGUAGE", "e"),
            ("GALLEY_ARTICLE_URL", "https://news.example.org/latest"), ("GALLEY_ARTICLE_URL", "ftp://example.org/{slug}"),
            ("GALLEY_ARTICLE_URL", "/articles/{slug}"),
        ]
        for (variable, value) in refused {
            let error = #expect(throws: ConfigurationError.self) { try GalleyConfiguration(environment: [variable: value]) }
            #expect(error?.variable == variable)
            #expect(error?.expected.isEmpty == false)
        }
    }

    /// Behind a pooler, what needs a session of its own is told where to go, and the pool
    /// prepares nothing; without the session's address the pooler setting is refused.
    @Test func aPoolerNeedsADirectSessionURL() throws {
        let direct = try GalleyConfiguration(environment: ["DATABASE_URL": "dbname=galley"])
        #expect(direct.sessionURL == "dbname=galley" && direct.migrateURL == "dbname=galley" && direct.postgres.preparesStatements)
        #expect(direct.sessionPostgres == nil)
        let pooled = try GalleyConfiguration(environment: [
            "DATABASE_URL": "port=6432 dbname=galley", "GALLEY_DATABASE_POOLER": "pgbouncer",
            "GALLEY_DATABASE_SESSION_URL": "port=5432 dbname=galley",
        ])
        #expect(pooled.sessionURL == "port=5432 dbname=galley" && pooled.migrateURL == "port=5432 dbname=galley")
        #expect(!pooled.postgres.preparesStatements && pooled.postgres.sharedSessions == 0)
        #expect(pooled.sessionPostgres?.connectionString == "port=5432 dbname=galley" && pooled.sessionPostgres?.preparesStatements == true)
        let missing = #expect(throws: ConfigurationError.self) {
            try GalleyConfiguration(environment: ["DATABASE_URL": "port=6432", "GALLEY_DATABASE_POOLER": "pgbouncer"])
        }
        #expect(missing?.variable == "GALLEY_DATABASE_SESSION_URL")
        let unknown = #expect(throws: ConfigurationError.self) { try GalleyConfiguration(environment: ["GALLEY_DATABASE_POOLER": "odyssey"]) }
        #expect(unknown?.description == "GALLEY_DATABASE_POOLER=odyssey is not valid: expected pgbouncer, or unset for a direct connection")
    }
}
