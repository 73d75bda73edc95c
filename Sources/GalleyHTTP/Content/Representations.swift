import Crypto
import Foundation
import Galley
import GalleyCore
import Hummingbird

/// A rendered answer of the published side, with what a cache needs to revalidate it.
struct Representation: Sendable {
    let body: ByteBuffer
    let contentType: String
    /// Strong: a digest of the bytes, so every server gives the same bytes the same tag.
    let etag: String
    let lastModified: Date?
    /// The count of public changes the content was read after (`PublicRead.generation`).
    let generation: Int64

    init(body: some Sequence<UInt8>, contentType: String, lastModified: Date?, generation: Int64) {
        let bytes = Array(body)
        self.body = ByteBuffer(bytes: bytes)
        self.contentType = contentType
        self.etag =
            "\""
            + String(
                decoding: SHA256.hash(data: bytes).prefix(16).flatMap { [HexDigit.lowercase[Int($0 >> 4)], HexDigit.lowercase[Int($0 & 15)]] },
                as: UTF8.self) + "\""
        self.lastModified = lastModified
        self.generation = generation
    }
}

/// The published side's rendered answers, kept by key (`article:<slug>`, a list's
/// parameters…) until the count of public changes moves past the one each was read after.
/// Bounded by bytes (`GALLEY_CONTENT_CACHE_MB`), oldest forgotten first.
struct Representations: Sendable {
    static let cacheControl = "public, max-age=60, stale-while-revalidate=600"

    let freshness: ContentFreshness
    let cache: BoundedCache<String, Representation>

    /// The representation under `key` as it stands after this request arrived: from memory
    /// when nothing public changed since it was rendered, else rendered anew from reads that
    /// include at least the changes counted when it arrived (`render`'s argument).
    func current(_ key: String, render: (_ atLeast: Int64) async throws -> Representation) async throws -> Representation {
        let generation = try await freshness.current()
        if let kept = cache.value(for: key), kept.generation >= generation { return kept }
        let fresh = try await render(generation)
        cache.store(fresh, for: key, cost: fresh.body.readableBytes + key.utf8.count + 128)
        return fresh
    }

    /// 200 with the representation, or 304 when `If-None-Match` names its tag; cacheable
    /// either way, and readable from any site's scripts.
    func response(_ representation: Representation, for request: Request) -> Response {
        var headers: HTTPFields = [
            .eTag: representation.etag, .cacheControl: Self.cacheControl, .accessControlAllowOrigin: "*",
        ]
        if let modified = representation.lastModified { headers[.lastModified] = HTTPDate.format(modified) }
        if Self.matches(request.headers[values: .ifNoneMatch], representation.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = representation.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: representation.body))
    }

    /// `If-None-Match` compares weakly (RFC 9110 §13.1.2): `*` or any tag with our opaque text.
    static func matches(_ fields: [String], _ etag: String) -> Bool {
        guard !fields.isEmpty else { return false }
        let text = fields.joined(separator: ",")
        if text.trimmingCharacters(in: .whitespaces) == "*" { return true }
        let opaque = etag.dropFirst().dropLast()
        return Request.entityTags(text)?.contains { $0.opaque == opaque } ?? false
    }
}
