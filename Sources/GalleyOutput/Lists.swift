import Foundation
import GalleyCore

/// One page of a list, with the cursor of the next page when there is one.
public struct ListDTO<Item: Encodable & Sendable>: Encodable, Sendable {
    public var items: [Item]
    public var next_cursor: String?

    public init(items: [Item], next_cursor: String? = nil) {
        self.items = items
        self.next_cursor = next_cursor
    }
}

/// A whole, unpaged list.
public struct ItemsDTO<Item: Encodable & Sendable>: Encodable, Sendable {
    public var items: [Item]

    public init(items: [Item]) {
        self.items = items
    }
}

extension UUID {
    /// Ids on the wire are lowercase, as RFC 9562 recommends and as the CLI prints them.
    public var wire: String { lowercasedString }
}

extension Optional where Wrapped == UUID {
    public var wire: String? { self?.lowercasedString }
}
