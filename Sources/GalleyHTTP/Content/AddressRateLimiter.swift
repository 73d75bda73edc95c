import GalleyCore
import NIOCore
import Synchronization

/// A token bucket per client address, kept as the one number that describes it: the moment
/// the bucket will be full again (GCRA). Before that moment by more than `burst` tokens'
/// time, a request is refused, and refused requests cost nothing, so a client that keeps
/// knocking gets in as soon as its tokens are back.
///
/// Holds at most `capacity` addresses. A bucket full again is the same as none; when a new
/// address needs room, a few of the longest-known ones are looked at and a full one (else
/// the nearest to full) is forgotten: so a flood of new addresses costs a bounded amount per
/// request and cannot push out a client that is being held back.
final class AddressRateLimiter: Sendable {
    enum Decision: Equatable {
        case admitted
        case refused(retryAfterSeconds: Int)
    }

    static let defaultCapacity = 100_000
    /// How many known addresses a new one looks at for room.
    private static let evictionScan = 8

    private struct State {
        /// When each address's bucket is full again (nanoseconds of `now`).
        var fullAt: [String: UInt64] = [:]
        /// Every key of `fullAt` once, the longest-known first.
        var order = CircularBuffer<String>()
    }

    let limit: RateLimit
    let capacity: Int
    private let interval: UInt64
    private let tolerance: UInt64
    private let state: Mutex<State>

    init(limit: RateLimit, capacity: Int = defaultCapacity) {
        self.limit = limit
        self.capacity = max(capacity, 1)
        interval = limit.emissionInterval
        tolerance = interval * UInt64(limit.burst)
        var state = State()
        state.fullAt.reserveCapacity(min(self.capacity, 4096))
        self.state = Mutex(state)
    }

    /// Takes a token from `address`'s bucket at `now` (monotonic nanoseconds), or says how
    /// many whole seconds until one is back.
    func admit(_ address: String, now: UInt64) -> Decision {
        state.withLock { state in
            // One hash of the address for a known one: found, then written in place.
            let index = state.fullAt.index(forKey: address)
            let next = max(index.map { state.fullAt.values[$0] } ?? now, now) + interval
            if next - now > tolerance {
                let wait = next - tolerance - now
                return .refused(retryAfterSeconds: max(1, Int((wait + 999_999_999) / 1_000_000_000)))
            }
            if let index {
                state.fullAt.values[index] = next
            } else {
                if state.fullAt.count >= capacity { Self.makeRoom(&state, now: now) }
                state.order.append(address)
                state.fullAt[address] = next
            }
            return .admitted
        }
    }

    /// How many addresses are known now.
    var count: Int { state.withLock { $0.fullAt.count } }

    private static func makeRoom(_ state: inout State, now: UInt64) {
        var candidate: (key: String, fullAt: UInt64)?
        for _ in 0..<min(evictionScan, state.order.count) {
            let key = state.order.removeFirst()
            let fullAt = state.fullAt[key] ?? 0
            if fullAt <= now {
                if let candidate { state.order.append(candidate.key) }
                state.fullAt[key] = nil
                return
            }
            if let held = candidate, held.fullAt <= fullAt {
                state.order.append(key)
            } else {
                if let held = candidate { state.order.append(held.key) }
                candidate = (key, fullAt)
            }
        }
        if let candidate { state.fullAt[candidate.key] = nil }
    }
}
