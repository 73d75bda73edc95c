import Foundation
import Hummingbird

/// A submitted `application/x-www-form-urlencoded` form, fields in order; a name may repeat
/// (several evidence links). Bounded: what a desk form can hold, no more.
struct DeskForm: Sendable {
    static let maximumBytes = 1 << 20
    static let maximumFields = 200

    let fields: [(name: String, value: String)]

    /// The first value of `name`, nil when absent.
    subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The value of `name`, nil when absent or empty (a GET form's untouched field).
    func filled(_ name: String) -> String? { self[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// Every value of `name`, in order.
    func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// Parses a form body, or throws a `DeskRefusal` that says what was wrong.
    init(encoded text: String) throws {
        var fields: [(name: String, value: String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            guard fields.count < Self.maximumFields else { throw DeskRefusal.badForm("has more than \(Self.maximumFields) fields") }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                throw DeskRefusal.badForm("is not URL-encoded")
            }
            fields.append((name, value))
        }
        self.fields = fields
    }

    /// The query of a page's GET form, read as a browser writes it (`+` is a space).
    init(query request: Request) throws {
        try self.init(encoded: request.uri.query ?? "")
    }

    init(request: inout Request, context: GalleyRequestContext) async throws {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw DeskRefusal.badForm("must be sent as application/x-www-form-urlencoded (a plain HTML form)")
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maximumBytes)
        } catch {
            throw DeskRefusal.badForm("is larger than \(Self.maximumBytes / 1024) KB")
        }
        try self.init(encoded: String(decoding: body.readableBytesView, as: UTF8.self))
    }

    private static func decode(_ part: Substring) -> String? {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
