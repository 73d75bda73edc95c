import Postgres
import Synchronization

/// Wakes the event streams and webhook dispatchers of every server (`NOTIFY galley_events`,
/// which each server LISTENs for) after a transaction commits; see docs/events.md.
///
/// The notification is its own statement, sent after the commit. Sent from inside the writing
/// transaction (as the event trigger once did), it made PostgreSQL take its global notify lock
/// at that transaction's commit, so every committing writer queued on one lock, and a holder
/// descheduled on a busy machine held them all up.
/// A wake-up carries nothing: listeners re-read the stream, and also poll, so one
/// notification may stand for many commits and a missing one only delays delivery.
public final class EventWakeUp: Sendable {
    public enum Mode: Sendable {
        /// At most one notification in flight, and at least `spacing` between two: a busy
        /// server sends ~1/spacing a second however many transactions commit. For servers.
        case coalesced(spacing: Duration)
        /// One notification after each commit, awaited: nothing is left unsent when a
        /// short-lived process (the CLI) exits.
        case afterEachCommit
    }

    private enum State {
        case idle
        case sending
        case sendingWithMoreToSend
    }

    private let pool: PostgresPool
    private let mode: Mode
    private let state = Mutex(State.idle)

    public init(pool: PostgresPool, mode: Mode = .coalesced(spacing: .milliseconds(10))) {
        self.pool = pool
        self.mode = mode
    }

    /// Called after every committed transaction.
    func committed() async {
        switch mode {
        case .afterEachCommit:
            await send()
        case .coalesced(let spacing):
            let start = state.withLock { state -> Bool in
                if case .idle = state {
                    state = .sending
                    return true
                }
                state = .sendingWithMoreToSend
                return false
            }
            // Detached: the sender serves later commits too and may outlive this one's
            // operation, so its NOTIFY must not be traced under that operation's span.
            if start { Task.detached { await self.sendWhileCommitted(spacing: spacing) } }
        }
    }

    /// Sends, then sends again after `spacing` if anything committed meanwhile.
    private func sendWhileCommitted(spacing: Duration) async {
        repeat {
            await send()
            try? await Task.sleep(for: spacing)
        } while state.withLock { state -> Bool in
            if case .sendingWithMoreToSend = state {
                state = .sending
                return true
            }
            state = .idle
            return false
        }
    }

    private func send() async {
        // A failure loses only promptness: listeners re-read the stream every second.
        try? await EventStore.wakeListeners(pool)
    }
}
