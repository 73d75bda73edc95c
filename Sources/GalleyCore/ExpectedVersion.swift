/// The versions a write may apply to (an `If-Match` header's entity tags): the write is
/// refused unless the stored version is one of them. Empty when none of the tags is one this
/// server issued, so nothing matches (RFC 9110: a well-formed tag that does not match is 412).
public struct ExpectedVersion: Sendable, Equatable {
    public var versions: Set<Int>

    public init(_ versions: Set<Int>) {
        self.versions = versions
    }

    public init(_ version: Int) {
        self.versions = [version]
    }

    /// Refuses the write unless `actual` is one of the expected versions.
    public func check(_ actual: Int) throws(GalleyError) {
        guard versions.contains(actual) else { throw .preconditionFailed(expected: versions.sorted(), actual: actual) }
    }
}
