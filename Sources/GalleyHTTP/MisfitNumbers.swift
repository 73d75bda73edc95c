import Foundation
import GalleyCore
import GalleyOutput

/// Foundation's decoder reports a number that does not fit its field (a fraction, or beyond
/// `Int`'s range, where a whole number belongs) as "not valid JSON", without a path. This
/// finds those fields, so the client hears which one is out of range (422) instead of that
/// its JSON is malformed (400).
enum MisfitNumbers {
    static let maximumBytes = 64 * 1024
    static let maximumCandidates = 8

    private enum Step {
        case key(String)
        case index(Int)
    }

    /// The fields whose numbers keep the body from decoding as `T`; nil when the body is not
    /// JSON at all, or no such number explains the failure.
    static func fields<T: Decodable>(decoding type: T.Type, from data: Data) -> [String]? {
        // Each retry encodes and decodes the body again: only small bodies, few retries.
        guard data.count <= maximumBytes, let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        var candidates: [[Step]] = []
        collect(value, at: [], into: &candidates)
        guard !candidates.isEmpty, candidates.count <= maximumCandidates else { return nil }
        func decodes(replacing paths: [[Step]]) -> Bool {
            let replaced = paths.reduce(value) { replacing($0, at: $1[...]) }
            guard let body = try? WireJSON.encoder.encode(replaced) else { return false }
            do {
                _ = try WireJSON.decoder.decode(T.self, from: body)
                return true
            } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
                return false
            } catch {
                return true
            }
        }
        guard decodes(replacing: candidates) else { return nil }
        let misfits = candidates.indices.filter { index in
            !decodes(replacing: candidates.enumerated().filter { $0.offset != index }.map(\.element))
        }
        return misfits.map { describe(candidates[$0]) }
    }

    /// Numbers that no `Int` field could hold.
    private static func collect(_ value: JSONValue, at path: [Step], into found: inout [[Step]]) {
        switch value {
        case .number(let number) where !(number.rounded() == number && number.magnitude < 9.2e18):
            found.append(path)
        case .array(let items):
            for (index, item) in items.enumerated() { collect(item, at: path + [.index(index)], into: &found) }
        case .object(let members):
            for (key, member) in members.sorted(by: { $0.key < $1.key }) { collect(member, at: path + [.key(key)], into: &found) }
        default:
            break
        }
    }

    private static func replacing(_ value: JSONValue, at path: ArraySlice<Step>) -> JSONValue {
        guard let step = path.first else { return .number(0) }
        switch (value, step) {
        case (.object(var members), .key(let key)):
            if let member = members[key] { members[key] = replacing(member, at: path.dropFirst()) }
            return .object(members)
        case (.array(var items), .index(let index)) where items.indices.contains(index):
            items[index] = replacing(items[index], at: path.dropFirst())
            return .array(items)
        default:
            return value
        }
    }

    /// `sources[0].retrieved_at`, as the other field problems name fields.
    private static func describe(_ path: [Step]) -> String {
        var text = ""
        for step in path {
            switch step {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
