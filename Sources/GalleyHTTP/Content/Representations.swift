import Crypto
import Foundation
import Galley
import GalleyCore
import Hummingbird

/// A rendered answer of the published side, with what a cache needs to revalidate it and
/// the headers of its 200 and its 304, made once when it is rendered.
struct Representation: Sendable {
    let body: ByteBuffer
    let contentType: String
    /// Strong: a digest of the bytes, so every server gives the same bytes the same tag.
    let etag: String
    let lastModified: Date?
    /// The count of public changes the content was read after (`PublicRead.generation`).
    let generation: Int64
    /// When the content goes stale although nothing public changed (a window of time such
    /// as the news sitemap's last 48 hours moved on); nil: never.
    let expires: Date?
    let okHeaders: HTTPFields
    let notModifiedHeaders: HTTPFields

    init(body: some Sequence<UInt8>, contentType: String, lastModified: Date?, generation: Int64, expires: Date? = nil) {
        let bytes = Array(body)
        self.body = ByteBuffer(bytes: bytes)
        self.contentType = contentType
        let etag =
            "\""
            + String(
                decoding: SHA256.hash(data: bytes).prefix(16).flatMap { [HexDigit.lowercase[Int($0 >> 4)], HexDigit.lowercase[Int($0 & 15)]] },
                as: UTF8.self) + "\""
        self.etag = etag
        self.lastModified = lastModified
        self.generation = generation
        self.expires = expires
        // Cacheable either way, and readable from any site's scripts.
        var headers: HTTPFields = [.eTag: etag, .cacheControl: Representations.cacheControl, .accessControlAllowOrigin: "*"]
        if let lastModified { headers[.lastModified] = HTTPDate.format(lastModified) }
        notModifiedHeaders = headers
        headers[.contentType] = contentType
        okHeaders = headers
    }
}

/// The published side's rendered answers, kept by key (`article:<slug>`, a list's
/// parameters…) until the count of public changes moves past the one each was read after.
/// Bounded by bytes (`GALLEY_CONTENT_CACHE_MB`), oldest forgotten first.
struct Representations: Sendable {
    static let cacheControl = "public, max-age=60, stale-while-revalidate=600"

    let freshness: ContentFreshness
    let cache: BoundedCache<String, Representation>
    var now: @Sendable () -> Date = Date.init

    /// The representation under `key` as it stands after this request arrived: from memory
    /// when nothing public changed since it was rendered and it has not expired, else rendered
    /// anew from reads that include at least the changes counted when it arrived (`render`'s argument).
    func current(_ key: String, render: (_ atLeast: Int64) async throws -> Representation) async throws -> Representation {
        let generation = try await freshness.current()
        if let kept = cache.value(for: key), kept.generation >= generation, kept.expires.map({ now() < $0 }) ?? true { return kept }
        let fresh = try await render(generation)
        cache.store(fresh, for: key, cost: fresh.body.readableBytes + key.utf8.count + 128)
        return fresh
    }

    /// 200 with the representation, or 304 when `If-None-Match` names its tag.
    func response(_ representation: Representation, for request: Request) -> Response {
        if Self.matches(request.headers, representation.etag) {
            return Response(status: .notModified, headers: representation.notModifiedHeaders)
        }
        return Response(status: .ok, headers: representation.okHeaders, body: .init(byteBuffer: representation.body))
    }

    /// `If-None-Match` compares weakly (RFC 9110 §13.1.2): `*` or any tag with our opaque text.
    static func matches(_ headers: HTTPFields, _ etag: String) -> Bool {
        guard let first = headers[.ifNoneMatch] else { return false }
        // A cache revalidating sends back the one tag it was given.
        if first == etag { return true }
        let text = headers[values: .ifNoneMatch].joined(separator: ",")
        if text.trimmingCharacters(in: .whitespaces) == "*" { return true }
        let opaque = etag.dropFirst().dropLast()
        return Request.entityTags(text)?.contains { $0.opaque == opaque } ?? false
    }
}
