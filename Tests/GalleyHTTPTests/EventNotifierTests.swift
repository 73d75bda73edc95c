import Foundation
import Logging
import Postgres
import ServiceLifecycle
import TestSupport
import Testing

@testable import GalleyHTTP

/// Event streams and webhook loops sleep on the notifier until a notification, their timeout
/// or their cancellation, whichever comes first.
@Suite struct EventNotifierTests {
    @Test func aWaitEndsOnANotificationAtItsTimeoutOrWhenCancelled() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let notifier = EventNotifier(connectionString: pool.configuration.connectionString, logger: TestRunLog.logger())
            let group = ServiceGroup(configuration: .init(services: [notifier], logger: TestRunLog.logger()))
            let running = Task { try await group.run() }
            // Listening counts as something that may have happened: the generation moves.
            for _ in 0..<500 where notifier.current == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let clock = ContinuousClock()

            let seen = notifier.current
            let timedOut = await clock.measure { await notifier.wait(after: seen, timeout: .milliseconds(300)) }
            #expect(timedOut >= .milliseconds(300) && timedOut < .seconds(10))

            let notified = Task { await clock.measure { await notifier.wait(after: seen, timeout: .seconds(60)) } }
            try await Task.sleep(for: .milliseconds(100))
            try await pool.execute("NOTIFY galley_events")
            #expect(await notified.value < .seconds(10))
            #expect(notifier.current > seen)

            let later = notifier.current
            let cancelled = Task { await clock.measure { await notifier.wait(after: later, timeout: .seconds(60)) } }
            try await Task.sleep(for: .milliseconds(100))
            cancelled.cancel()
            #expect(await cancelled.value < .seconds(10))

            let alreadyMoved = await clock.measure { await notifier.wait(after: later - 1, timeout: .seconds(60)) }
            #expect(alreadyMoved < .seconds(10))

            await group.triggerGracefulShutdown()
            try await running.value
        }
    }
}
