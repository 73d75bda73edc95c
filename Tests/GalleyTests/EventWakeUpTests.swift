import Foundation
import Galley
import GalleyCore
import Logging
import Postgres
import Testing

/// Committed changes wake every server's listeners (`NOTIFY galley_events`), with one
/// notification standing for the commits of a busy moment rather than one per event.
@Suite struct EventWakeUpTests {
    @Test func committedChangesWakeListenersAndBusyMomentsShareANotification() async throws {
        try await Newsroom.with { room in
            let wakeUp = EventWakeUp(pool: room.pool, mode: .coalesced(spacing: .milliseconds(300)))
            let services = GalleyServices(environment: GalleyEnvironment(pool: room.pool, wakeUp: wakeUp))
            var drafts: [UUID] = []
            for n in 0..<21 { drafts.append(try await room.draft(title: "Council story \(n)").article.id) }
            try await Task.sleep(for: .milliseconds(400))  // the drafts' own wake-ups are sent
            let (counter, stop) = try await Self.listen(room)
            defer { stop() }

            // One change: one wake-up, after its commit.
            _ = try await services.transitions.perform(.init(.submit), on: drafts[0], by: room.writer)
            try await counter.waitFor(1)

            // Twenty changes at once (each records a published event): a few wake-ups.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in drafts.dropFirst() {
                    group.addTask { _ = try await services.transitions.perform(.init(.submit), on: id, by: room.writer) }
                }
                try await group.waitForAll()
            }
            try await counter.waitFor(2)
            try await Task.sleep(for: .milliseconds(700))
            let total = await counter.count
            #expect(total >= 2 && total <= 6, "\(total) notifications for 21 commits")
        }
    }

    /// Webhook dispatchers claim deliveries whenever they are woken; when a claim woke them
    /// too, an idle server claimed ~300 times a second.
    @Test func claimingWebhookDeliveriesWakesNoOne() async throws {
        try await Newsroom.with { room in
            let wakeUp = EventWakeUp(pool: room.pool, mode: .afterEachCommit)
            let services = GalleyServices(environment: GalleyEnvironment(pool: room.pool, wakeUp: wakeUp))
            let id = try await room.draft().article.id
            let (counter, stop) = try await Self.listen(room)
            defer { stop() }
            let before = try await counter.settled()  // the room's own (coalesced) wake-ups
            for _ in 0..<3 { _ = try await services.outbox.claim(limit: 20, lease: 60) }
            _ = try await services.transitions.perform(.init(.submit), on: id, by: room.writer)
            try await counter.waitFor(before + 1)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await counter.count == before + 1)
        }
    }

    /// Counts `NOTIFY galley_events` from the moment it returns; call the closure to stop.
    private static func listen(_ room: Newsroom) async throws -> (NotificationCounter, @Sendable () -> Void) {
        let listener = PostgresListener(connectionString: room.connectionString, channels: ["galley_events"], logger: Logger(label: "test"))
        let counter = NotificationCounter()
        let listening = Task {
            for await event in listener.events() {
                if case .listening = event { await counter.listening() }
                if case .notification = event { await counter.add() }
            }
        }
        try await counter.waitUntilListening()
        return (
            counter,
            {
                listener.stop()
                listening.cancel()
            }
        )
    }

    actor NotificationCounter {
        private(set) var count = 0
        private var isListening = false

        func listening() { isListening = true }
        func add() { count += 1 }

        func waitUntilListening() async throws {
            try await poll { self.isListening }
        }

        /// The count once no notification has arrived for 300 ms.
        func settled() async throws -> Int {
            while true {
                let seen = count
                try await Task.sleep(for: .milliseconds(300))
                if count == seen { return seen }
            }
        }

        func waitFor(_ expected: Int) async throws {
            try await poll { self.count >= expected }
        }

        /// Up to 30 s: a whole run's parallel tests have stalled a wake-up past 5 s.
        private func poll(_ done: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while !done() {
                guard ContinuousClock.now < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }
}
