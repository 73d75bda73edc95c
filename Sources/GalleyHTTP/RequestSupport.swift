import Foundation
import Galley
import GalleyCore
import GalleyOutput
import Hummingbird
import NIOCore

/// A JSON reply, kept as bytes so that idempotent requests can store and replay it.
struct Reply: ResponseGenerator {
    var status: HTTPResponse.Status
    var body: ByteBuffer
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status = .ok, _ value: some Encodable, headers: HTTPFields = [:]) throws {
        self.status = status
        if let writable = value as? any JSONWritable {
            var writer = JSONWriter(capacity: writable.estimatedJSONBytes)
            writable.write(to: &writer)
            self.body = ByteBuffer(bytes: writer.bytes)
        } else {
            self.body = ByteBuffer(bytes: try WireJSON.encoder.encode(value))
        }
        self.headers = headers
    }

    init(status: HTTPResponse.Status, body: Data, headers: HTTPFields = [:]) {
        self.status = status
        self.body = ByteBuffer(bytes: body)
        self.headers = headers
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        if fields[.contentType] == nil { fields[.contentType] = "application/json" }
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }
}

extension Request {
    /// The body as JSON of type `T`. Malformed JSON is a 400; a missing or mistyped field a
    /// 422 naming the field; over 2 MiB a 413.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: GalleyRequestContext) async throws -> (T, Data) {
        if let contentType = headers[.contentType], !contentType.lowercased().contains("json") {
            throw Problem(
                status: .unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type",
                detail: "Send the body as application/json (got \(contentType)).")
        }
        var request = self
        let data = Data(buffer: try await request.keepBody(upTo: context.maxUploadSize))
        if JSONText.containsEscapedNUL(data) {
            // PostgreSQL text cannot hold U+0000 (and libpq would cut the string at it).
            throw Problem.invalid("body", "strings must not contain the NUL character (\\u0000)")
        }
        do {
            return (try WireJSON.decoder.decode(T.self, from: data), data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let fields = MisfitNumbers.fields(decoding: T.self, from: data), !fields.isEmpty
            {
                throw GalleyError.validation(fields.map { .init(field: $0, message: "must be a whole number in range") })
            }
            throw Self.problem(for: error)
        }
    }

    /// Reads the whole body into memory, where it stays to be read again; over `limit` a 413.
    @discardableResult
    mutating func keepBody(upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem(
                status: .contentTooLarge, type: "body-too-large", title: "Request body too large", detail: "The body is over 2 MiB; send less.")
        }
    }

    static func problem(for error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            let text = keys.map { key in key.intValue.map { "[\($0)]" } ?? "." + key.stringValue }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid(path(context.codingPath, key), "is required")
        case .typeMismatch(let type, let context):
            return .invalid(path(context.codingPath), "must be \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            return .invalid(path(context.codingPath), "must be \(Self.describe(type)), not null")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .invalid(path(context.codingPath), context.debugDescription)
        default:
            return .badRequest("The body is not valid JSON; send a JSON object.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }

    /// A path parameter that must be a UUID; anything else names no resource, so 404.
    func id(_ name: String, context: GalleyRequestContext, kind: String = "article") throws -> UUID {
        guard let text = context.parameters.get(name), let id = UUIDFormat.parse(text) else {
            throw Problem.notFound("No \(kind) \(context.parameters.get(name) ?? "") exists; ids are UUIDs.")
        }
        return id
    }

    func number(_ name: String, context: GalleyRequestContext) throws -> Int {
        guard let text = context.parameters.get(name), let number = Int(text), (1...Int(Int32.max)).contains(number) else {
            throw Problem.notFound("No revision \(context.parameters.get(name) ?? "") exists; revisions are numbered 1, 2, 3…")
        }
        return number
    }

    /// The versions an `If-Match` header (RFC 9110 §13.1.1) admits: our ETags are
    /// `"<version>"`. `*` admits any (the article exists, or the write is a 404 anyway); a
    /// list admits each strong tag of ours in it. A weak tag never matches (If-Match compares
    /// strongly) and neither does another server's tag: such a list admits nothing, so the
    /// write is refused with 412 rather than done unconditionally.
    var expectedVersion: ExpectedVersion? {
        get throws {
            guard headers[.ifMatch] != nil else { return nil }
            let fields = headers[values: .ifMatch].joined(separator: ",")
            if fields.trimmingCharacters(in: .whitespaces) == "*" { return nil }
            guard let tags = Self.entityTags(fields), !tags.isEmpty else {
                throw Problem.invalid("If-Match", "must be * or entity tags such as \"3\" (the ETag this server sent)")
            }
            return ExpectedVersion(
                Set(
                    tags.compactMap { tag in
                        // Strong comparison is of the text: ours have no leading zero.
                        guard !tag.weak, (1...9).contains(tag.opaque.count), tag.opaque.first != "0", tag.opaque.allSatisfy(\.isASCIIDigitCharacter)
                        else { return nil }
                        return Int(tag.opaque)
                    }))
        }
    }

    /// `#entity-tag`: comma-separated `"opaque"` or `W/"opaque"`, with optional white space;
    /// nil when the text is not that.
    static func entityTags(_ text: String) -> [(weak: Bool, opaque: Substring)]? {
        var tags: [(weak: Bool, opaque: Substring)] = []
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            if rest.isEmpty { return tags }
            let weak = rest.hasPrefix("W/")
            if weak { rest = rest.dropFirst(2) }
            guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") else { return nil }
            let opaque = rest[rest.index(after: rest.startIndex)..<close]
            // etagc: visible ASCII except the quote, or bytes beyond ASCII.
            guard opaque.unicodeScalars.allSatisfy({ $0.value == 0x21 || (0x23...0x7E).contains($0.value) || $0.value >= 0x80 }) else { return nil }
            tags.append((weak: weak, opaque: opaque))
            rest = rest[rest.index(after: close)...]
            let separatorEnd = rest.firstIndex { $0 != " " && $0 != "\t" } ?? rest.endIndex
            guard separatorEnd == rest.endIndex || rest[separatorEnd] == "," else { return nil }
        }
    }

    // MARK: Query parameters

    /// A free-text parameter; empty counts as absent.
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A typed parameter as sent: absent is nil, but an empty value is there, and invalid.
    func typedQuery(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }

    func query<T: RawRepresentable>(_ name: String, as type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = typedQuery(name) else { return nil }
        guard let value = T(rawValue: text) else { throw Problem.invalid(name, "\(text) is not a valid value") }
        return value
    }

    func queryDate(_ name: String) throws -> Date? {
        guard let text = typedQuery(name) else { return nil }
        guard let date = RFC3339.parse(text) else {
            throw Problem.invalid(name, RFC3339.requirement)
        }
        return date
    }

    func queryBool(_ name: String) throws -> Bool? {
        guard let text = typedQuery(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw Problem.invalid(name, "must be true or false")
        }
    }

    /// `limit`: default 50, at most 200.
    func limit() throws -> Int {
        guard let text = typedQuery("limit") else { return 50 }
        guard let limit = Int(text), (1...200).contains(limit) else { throw Problem.invalid("limit", "must be 1 to 200") }
        return limit
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isWholeNumber }
}

func etag(_ version: Int) -> HTTPFields {
    [.eTag: "\"\(version)\""]
}

/// Runs a POST once per `Idempotency-Key` (`IdempotencyService`): the same key and body
/// replays the stored response and changes nothing; a duplicate of a request still running
/// waits for its answer a little, then gets 409 with `Retry-After`; the same key with another
/// body is refused (422). A request that fails gives its key back.
func idempotent(
    _ request: Request, context: GalleyRequestContext, body: Data, services: GalleyServices,
    _ handler: () async throws -> Reply
) async throws -> Reply {
    guard let key = request.headers[.idempotencyKey] else { return try await handler() }
    let caller = try context.requireCaller()
    guard let actorID = caller.principal.actorID else { return try await handler() }
    // The same JSON with its keys in another order is the same request.
    let canonical = (try? JSONDecoder().decode(JSONValue.self, from: body)).flatMap { try? WireJSON.encoder.encode($0) } ?? body
    let fingerprint = IdempotencyService.fingerprint([request.method.rawValue, request.uri.path], body: canonical)
    switch try await services.idempotency.claim(actorID: actorID, key: key, fingerprint: fingerprint) {
    case .replay(let stored):
        return Reply(status: HTTPResponse.Status(code: stored.status), body: stored.body, headers: [.idempotentReplayed: "true"])
    case .inProgress(let seconds):
        throw Problem.idempotencyInProgress(retryAfterSeconds: seconds)
    case .reserved(let reservation):
        let reply: Reply
        do {
            reply = try await services.idempotency.holding(reservation, handler)
        } catch {
            await services.idempotency.release(reservation)
            throw error
        }
        do {
            try await services.idempotency.complete(
                reservation, with: .init(status: Int(reply.status.code), body: Data(reply.body.readableBytesView)))
        } catch {
            // The work is done: answer it. Its key stays reserved until the lease runs out,
            // and duplicates meanwhile are told to retry.
            context.logger.warning("could not store an idempotent answer", metadata: ["error": "\(error)"])
        }
        return reply
    }
}
