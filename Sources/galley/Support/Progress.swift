import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// A one-line progress bar on stderr (count, rate, ETA) when stderr is a terminal; silent
/// otherwise, so that logs and pipes stay clean.
final class Progress: Sendable {
    private struct State {
        var done = 0
        var total: Int?
        var lastDraw: ContinuousClock.Instant?
    }

    let label: String
    let enabled: Bool
    private let start = ContinuousClock.now
    private let state: Mutex<State>

    init(_ label: String, total: Int? = nil) {
        self.label = label
        self.enabled = isatty(STDERR_FILENO) == 1
        self.state = Mutex(State(total: total))
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    func setTotal(_ total: Int?) {
        state.withLock { $0.total = total }
    }

    func advance(by count: Int) {
        let done = state.withLock { $0.done + count }
        update(done)
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            state.done = done
            if let last = state.lastDraw, now - last < .milliseconds(100) { return nil }
            state.lastDraw = now
            return render(done: done, total: state.total, now: now)
        }
        if let line { FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8)) }
    }

    /// Draws the final count and moves to a new line.
    func finish() {
        guard enabled else { return }
        let line = state.withLock { render(done: $0.done, total: $0.total, now: .now) }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line + "\n").utf8))
    }

    private func render(done: Int, total: Int?, now: ContinuousClock.Instant) -> String {
        let elapsed = max(Double((now - start).components.seconds) + Double((now - start).components.attoseconds) / 1e18, 0.001)
        let rate = Double(done) / elapsed
        var text = "\(label)  \(done)"
        if let total, total > 0 {
            let fraction = min(Double(done) / Double(total), 1)
            let width = 24
            let filled = Int(fraction * Double(width))
            text = "\(label)  [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            text += "  \(done)/\(total)  \(Int(fraction * 100))%"
        }
        text += "  \(Self.format(rate))/s"
        if let total, rate > 0, done < total {
            text += "  ETA " + Self.clock(Double(total - done) / rate)
        }
        return text
    }

    private static func format(_ rate: Double) -> String {
        rate >= 100 ? String(Int(rate)) : String(format: "%.1f", rate)
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        return whole >= 3600
            ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
            : String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
