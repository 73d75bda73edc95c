import Synchronization

/// A map bounded by the bytes its values hold, forgetting the oldest entries first. Only for
/// values that cannot go stale (revisions are immutable) or that the caller checks against
/// the database before use (an article's detail, by its version): the cache never decides
/// what is current.
public final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var cost: Int
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Keys in the order they were first stored; `order[head...]` are live.
        var order: [Key] = []
        var head = 0
        var bytes = 0
        var hits = 0
        var misses = 0
    }

    /// The most bytes the values may hold together; 0 keeps nothing.
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) {
        self.capacity = max(capacity, 0)
    }

    public func value(for key: Key) -> Value? {
        state.withLock { state in
            let value = state.entries[key]?.value
            if value == nil { state.misses += 1 } else { state.hits += 1 }
            return value
        }
    }

    /// Lookups that found a value and that did not, since the cache was made.
    var lookups: (hits: Int, misses: Int) {
        state.withLock { ($0.hits, $0.misses) }
    }

    /// Stores `value`, replacing what `key` held, and forgets the oldest entries until the
    /// cache is within its capacity. A value larger than the whole capacity is not kept.
    public func store(_ value: Value, for key: Key, cost: Int) {
        guard cost <= capacity else { return }
        state.withLock { state in
            if let old = state.entries.updateValue(Entry(value: value, cost: cost), forKey: key) {
                state.bytes -= old.cost
            } else {
                state.order.append(key)
            }
            state.bytes += cost
            while state.bytes > capacity, state.head < state.order.count {
                let oldest = state.order[state.head]
                state.head += 1
                if let evicted = state.entries.removeValue(forKey: oldest) { state.bytes -= evicted.cost }
            }
            if state.head > 1024, state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }

    /// Forgets what `key` holds, if anything.
    public func remove(_ key: Key) {
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.bytes -= old.cost }
        }
    }

    /// How many entries and bytes the cache holds now.
    public var usage: (entries: Int, bytes: Int) {
        state.withLock { ($0.entries.count, $0.bytes) }
    }
}
