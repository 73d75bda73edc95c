import CLibPQ
import Foundation
import Glibc
import Synchronization

/// One thread per pool that waits, with epoll, for the answers to single statements sent
/// without blocking (`PostgresPool.query` and `execute`), and hands each answer to the task
/// that is waiting for it. Like pgbench, one wake-up can serve several connections.
///
/// A socket is armed one-shot when a statement has been sent on it, so the loop only ever
/// looks at sessions that are waiting for an answer; arming is a system call from the
/// sending thread and never wakes the loop.
final class EventLoop: Sendable {
    private let epoll: Int32
    private let stopEvent: Int32
    private let workers: [any EventLoopSlot]
    private let stopped = Atomic(false)
    private static let stopToken = UInt64.max

    init(workers: [any EventLoopSlot]) {
        self.workers = workers
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        stopEvent = eventfd(0, Int32(EFD_CLOEXEC))
        precondition(epoll >= 0 && stopEvent >= 0, "cannot create the PostgreSQL event loop: errno \(errno)")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Self.stopToken
        epoll_ctl(epoll, EPOLL_CTL_ADD, stopEvent, &event)
        // The thread keeps the loop, and so its descriptors, alive until it has stopped.
        let thread = Thread { [self] in
            run()
            // Nothing answers a statement from now on, so fail those still waiting.
            for worker in workers { worker.fail(with: PostgresError.poolClosed) }
        }
        thread.name = "galley.pg.loop"
        thread.start()
    }

    deinit {
        close(epoll)
        close(stopEvent)
    }

    /// Ends the loop's thread; only the first call does anything.
    func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        var one: UInt64 = 1
        _ = write(stopEvent, &one, MemoryLayout<UInt64>.size)
    }

    /// Asks for one wake-up when `socket` of worker `slot` can be read (or written, while
    /// libpq still has output to flush). Throws when the socket cannot be watched.
    func arm(slot: Int, socket: Int32, writable: Bool) throws {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue | (writable ? EPOLLOUT.rawValue : 0)
        event.data.u64 = UInt64(slot)
        // A socket stays registered after its one shot; a new session's socket is not yet.
        if epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) != 0 {
            guard errno == ENOENT, epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) == 0 else {
                throw PostgresError(kind: .connection, message: "cannot watch the connection's socket: \(String(cString: strerror(errno)))")
            }
        }
        // Checked after arming: either this sees the stop, or the stopping thread sees the
        // statement as pending and fails it.
        if stopped.load(ordering: .sequentiallyConsistent) {
            throw PostgresError.poolClosed
        }
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = events.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, Int32($0.count), -1) }
            if count < 0 {
                if errno == EINTR { continue }
                fatalError("epoll_wait failed in the PostgreSQL event loop: errno \(errno)")
            }
            for event in events[0..<Int(count)] {
                let token = event.data.u64
                if token == Self.stopToken { return }
                let worker = workers[Int(token)]
                if let again = worker.advance(loop: self) {
                    do {
                        try arm(slot: Int(token), socket: again.socket, writable: again.writable)
                    } catch {
                        worker.fail(with: error)
                    }
                }
            }
        }
    }
}

/// What waits on the event loop for answers: a leased pool slot (`ConnectionWorker`) or a
/// session shared by quick reads (`SharedSession`), known to the loop by its place in its list.
protocol EventLoopSlot: AnyObject, Sendable {
    /// Reads what has arrived and answers whoever is complete; returns what to wait for
    /// next while answers are still due, or nil (having armed itself on `loop` if it must).
    func advance(loop: EventLoop) -> (socket: Int32, writable: Bool)?
    /// Fails whatever is waiting for an answer.
    func fail(with error: any Error)
}
