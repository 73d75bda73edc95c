import Foundation

// Ids in JSON output are lowercase, as in tables, the API and the database's own text.

@propertyWrapper
struct LowercaseUUID: Encodable {
    var wrappedValue: UUID
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue.uuidString.lowercased())
    }
}

@propertyWrapper
struct OptionalLowercaseUUID: Encodable {
    var wrappedValue: UUID?
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = wrappedValue { try container.encode(value.uuidString.lowercased()) } else { try container.encodeNil() }
    }
}

@propertyWrapper
struct LowercaseUUIDs: Encodable {
    var wrappedValue: [UUID]
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue.map { $0.uuidString.lowercased() })
    }
}
