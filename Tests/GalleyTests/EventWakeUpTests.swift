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
            try await Task.sleep(for: .milliseconds(400)) // the drafts' own wake-ups are sent

            let listener = PostgresListener(connectionString: room.connectionString, channels: ["galley_events"], logger: Logger(label: "test"))
            defer { listener.stop() }
            let counter = NotificationCounter()
            let listening = Task {
                for await event in listener.events() {
                    if case .listening = event { await counter.listening() }
                    if case .notification = event { await counter.add() }
                }
            }
            defer { listening.cancel() }
            try await counter.waitUntilListening()

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

    actor NotificationCounter {
        private(set) var count = 0
        private var isListening = false

        func listening() { isListening = true }
        func add() { count += 1 }

        func waitUntilListening() async throws {
            try await poll { self.isListening }
        }

        func waitFor(_ expected: Int) async throws {
            try await poll { self.count >= expected }
        }

        private func poll(_ done: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(5)
            while !done() {
                guard ContinuousClock.now < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }
}
