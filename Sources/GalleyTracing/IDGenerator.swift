import Synchronization

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Trace and span ids from the kernel's secure generator, drawn 64 at a time: a system call
/// per id (the cost of `SystemRandomNumberGenerator`) was a measurable share of a traced
/// request, and ids stay as unpredictable as W3C Trace Context asks.
final class IDGenerator: Sendable {
    private struct Pool {
        var words = [UInt64](repeating: 0, count: 64)
        var next = 64
    }

    private let pool = Mutex(Pool())

    /// A non-zero random 64-bit value (zero is an invalid id).
    func next() -> UInt64 {
        pool.withLock { pool in
            while true {
                if pool.next == pool.words.count {
                    pool.words.withUnsafeMutableBytes(Self.fillRandomly)
                    pool.next = 0
                }
                let word = pool.words[pool.next]
                pool.next += 1
                if word != 0 { return word }
            }
        }
    }

    /// The kernel's generator, read 512 bytes at a time (what `getrandom` returns, which Glibc's
    /// Swift module does not declare); the system generator, a call per word, where it fails.
    private static let urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

    private static func fillRandomly(_ bytes: UnsafeMutableRawBufferPointer) {
        var filled = 0
        while filled < bytes.count {
            let count = read(urandom, bytes.baseAddress! + filled, bytes.count - filled)
            if count > 0 {
                filled += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                var system = SystemRandomNumberGenerator()
                for index in 0..<bytes.count { bytes[index] = system.next() }
                return
            }
        }
    }
}
