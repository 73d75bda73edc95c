import Foundation
import GalleyCore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import GalleyHTTP

/// The published side limits each client address (`GALLEY_CONTENT_RATE`) and says when to
/// come back; the API under /v1 and the desk are never limited.
@Suite struct ContentRateLimitTests {
    @Test func theRequestAfterTheBurstIsToldWhenToComeBackAndV1IsNotLimited() async throws {
        try await APIHarness.with { api in
            let (id, slug) = try await api.publishArticle(title: "Ferries run late")
            // A rate so slow that no token comes back while the test runs: the burst is all.
            let settings = ContentSettings(rateLimit: RateLimit("1/m burst 100"))
            let app = Application(
                router: buildRouter(services: api.services, pool: api.pool, metrics: HTTPMetrics(), content: settings),
                logger: TestRunLog.logger())
            try await app.test(.router) { client in
                let limited = APIHarness(services: api.services, pool: api.pool, ownerPool: api.ownerPool, client: client, tokens: api.tokens)
                for n in 1...100 {
                    let reply = try await limited.call(.get, "/content/v1/articles/\(slug)", as: nil)
                    #expect(reply.status == .ok, "request \(n)")
                }
                let refused = try await limited.call(.get, "/content/v1/articles/\(slug)", as: nil)
                #expect(refused.status == .tooManyRequests)
                #expect(refused.headers[.contentType] == "application/problem+json")
                let wait = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
                #expect((1...60).contains(wait))
                #expect(refused.json["detail"]?.stringValue?.contains("retry in \(wait) s") == true)
                #expect(try await limited.call(.get, "/.well-known/galley-seal-key", as: nil).status == .tooManyRequests)
                #expect(try await limited.call(.get, "//content/v1/articles", as: nil).status == .tooManyRequests)

                #expect(try await limited.call(.get, "/v1/articles/\(id)", as: "eddie").status == .ok)
                #expect(try await limited.call(.get, "/desk/login", as: nil).status == .ok)
            }
        }
    }

    @Test func aBurstIsAdmittedThenOneRequestPerInterval() {
        let limiter = AddressRateLimiter(limit: .contentDefault)
        let start: UInt64 = 1_000_000_000
        for _ in 1...100 { #expect(limiter.admit("192.0.2.1", now: start) == .admitted) }
        #expect(limiter.admit("192.0.2.1", now: start) == .refused(retryAfterSeconds: 1))
        // 50 a second: one token is back 20 ms later, and only one.
        #expect(limiter.admit("192.0.2.1", now: start + 20_000_000) == .admitted)
        #expect(limiter.admit("192.0.2.1", now: start + 20_000_000) == .refused(retryAfterSeconds: 1))

        let slow = AddressRateLimiter(limit: RateLimit("2/m burst 1")!)
        #expect(slow.admit("192.0.2.1", now: start) == .admitted)
        #expect(slow.admit("192.0.2.1", now: start + 1_000_000_000) == .refused(retryAfterSeconds: 29))
    }

    @Test func twoAddressesHaveTheirOwnBuckets() {
        let limiter = AddressRateLimiter(limit: RateLimit("1/s burst 2")!)
        #expect(limiter.admit("192.0.2.1", now: 0) == .admitted)
        #expect(limiter.admit("192.0.2.1", now: 0) == .admitted)
        #expect(limiter.admit("192.0.2.1", now: 0) == .refused(retryAfterSeconds: 1))
        #expect(limiter.admit("2001:db8::1", now: 0) == .admitted)
        #expect(limiter.admit("2001:db8::1", now: 0) == .admitted)
        #expect(limiter.admit("2001:db8::1", now: 0) == .refused(retryAfterSeconds: 1))
    }

    @Test func aFloodOfNewAddressesStaysBoundedAndDoesNotFreeAHeldBackClient() {
        let limiter = AddressRateLimiter(limit: .contentDefault, capacity: 1000)
        for _ in 1...100 { _ = limiter.admit("198.51.100.7", now: 0) }
        #expect(limiter.admit("198.51.100.7", now: 0) != .admitted)
        for n in 0..<20_000 {
            #expect(limiter.admit("10.\(n >> 16).\((n >> 8) & 255).\(n & 255)", now: UInt64(n)) == .admitted)
        }
        #expect(limiter.count <= 1000)
        #expect(limiter.admit("198.51.100.7", now: 20_000) != .admitted)
        // Once its bucket is full again, a new address takes its room.
        #expect(limiter.admit("203.0.113.9", now: 10_000_000_000) == .admitted)
        #expect(limiter.count <= 1000)
    }

    @Test func onlyThePublicRoutesAreLimited() {
        for path in ["/content/v1/articles/x", "/content", "//content/v1", "/articles/x/checked", "/.well-known/galley-seal-key"] {
            #expect(PublicRateLimitMiddleware.isPublic(path), "\(path)")
        }
        for path in ["/v1/articles", "/desk", "/healthz", "/", "", "/contents", "/v1/content/x"] {
            #expect(!PublicRateLimitMiddleware.isPublic(path), "\(path)")
        }
    }
}
