/// Reads again until `done` holds or `patience` runs out, and returns the last read.
///
/// For what waits on other tests: the event stream and pruning go only past every transaction
/// running in the cluster, and a parallel test's `DROP DATABASE` holds one through a forced
/// checkpoint, for seconds when the machine is loaded.
public func eventually<Value>(
    patience: Duration = .seconds(30),
    _ read: () async throws -> Value,
    until done: (Value) -> Bool
) async throws -> Value {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: patience)
    var value = try await read()
    while !done(value), clock.now < deadline {
        try await Task.sleep(for: .milliseconds(50))
        value = try await read()
    }
    return value
}
