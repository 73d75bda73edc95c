import CLibPQ

/// Asks the server to cancel whatever statement one session is running, from any thread:
/// libpq's cancel object (`PGcancel`) is made for that, apart from the session it belongs
/// to. Kept as its address, which is what makes this class `Sendable` without a lock.
final class StatementCanceller: Sendable {
    private let address: UInt

    /// Nil when libpq cannot make one (a session that is not open).
    init?(_ connection: PostgresConnection) {
        guard let handle = connection.cancelHandle() else { return nil }
        address = UInt(bitPattern: handle)
    }

    deinit {
        PQfreeCancel(OpaquePointer(bitPattern: address))
    }

    /// Sends the cancel request; the statement then fails with SQLSTATE 57014. Nothing
    /// happens when the session is idle or already gone.
    func cancelRunningStatement() {
        var message = [CChar](repeating: 0, count: 256)
        _ = PQcancel(OpaquePointer(bitPattern: address), &message, Int32(message.count))
    }
}
