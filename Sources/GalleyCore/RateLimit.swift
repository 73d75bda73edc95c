/// How many requests one client may send: `requests` per second or per minute on average,
/// up to `burst` at once (a token bucket of `burst` tokens refilled at that rate). Written
/// `50/s burst 100` or `600/m`; without `burst`, one interval's worth may come at once.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    public enum Interval: String, Sendable {
        case second = "s"
        case minute = "m"

        var nanoseconds: UInt64 { self == .second ? 1_000_000_000 : 60_000_000_000 }
    }

    public let requests: Int
    public let interval: Interval
    public let burst: Int

    public static let largest = 1_000_000
    /// The published side's default (`GALLEY_CONTENT_RATE`).
    public static let contentDefault = RateLimit(requests: 50, per: .second, burst: 100)!
    /// What a refused setting is told would do.
    public static let expectedText = "off, or requests per second or minute with an optional burst (1 to 1000000), such as 50/s burst 100 or 600/m"

    public init?(requests: Int, per interval: Interval, burst: Int? = nil) {
        let burst = burst ?? requests
        guard (1...Self.largest).contains(requests), (1...Self.largest).contains(burst) else { return nil }
        self.requests = requests
        self.interval = interval
        self.burst = burst
    }

    /// Parses `N/s` or `N/m`, optionally followed by `burst M`; nil when it is neither.
    public init?(_ text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 1 || (words.count == 3 && words[1].lowercased() == "burst") else { return nil }
        let rate = words[0].split(separator: "/", omittingEmptySubsequences: false)
        guard rate.count == 2, let requests = Int(rate[0]), let interval = Interval(rawValue: rate[1].lowercased()) else { return nil }
        var burst: Int?
        if words.count == 3 {
            guard let count = Int(words[2]) else { return nil }
            burst = count
        }
        self.init(requests: requests, per: interval, burst: burst)
    }

    /// Nanoseconds in which one token comes back.
    public var emissionInterval: UInt64 { max(interval.nanoseconds / UInt64(requests), 1) }

    public var description: String { "\(requests)/\(interval.rawValue) burst \(burst)" }
}
