import GalleyCore
import Hummingbird
import NIOCore

/// Limits what one client address may ask of the routes anyone may call without a token:
/// `/content`, `/articles` and `/.well-known` (`GALLEY_CONTENT_RATE`). The API under `/v1`
/// and the desk are never limited: their callers are known people and services.
struct PublicRateLimitMiddleware: RouterMiddleware {
    typealias Context = GalleyRequestContext
    let limiter: AddressRateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isPublic(request.uri.path) else { return try await next(request, context) }
        if case .refused(let seconds) = limiter.admit(context.peerAddress, now: NIODeadline.now().uptimeNanoseconds) {
            throw Problem.rateLimited(limiter.limit, retryAfterSeconds: seconds)
        }
        return try await next(request, context)
    }

    /// Whether the path's first segment is a public one; the router, too, skips empty
    /// segments, so `//content/…` is limited as `/content/…` is.
    static func isPublic(_ path: String) -> Bool {
        let first = path.utf8.drop { $0 == UInt8(ascii: "/") }.prefix { $0 != UInt8(ascii: "/") }
        return first.elementsEqual("content".utf8) || first.elementsEqual("articles".utf8) || first.elementsEqual(".well-known".utf8)
    }
}

extension Problem {
    static func rateLimited(_ limit: RateLimit, retryAfterSeconds seconds: Int) -> Problem {
        let per = limit.interval == .second ? "a second" : "a minute"
        var problem = Problem(
            status: .tooManyRequests, type: "rate-limited", title: "Too many requests",
            detail: "This address sent more than \(limit.requests) requests \(per) (\(limit.burst) at once) to the published side; "
                + "retry in \(seconds) s (Retry-After), and keep answers for as long as their Cache-Control allows, "
                + "revalidating them with If-None-Match.")
        problem.headers[.retryAfter] = "\(seconds)"
        return problem
    }
}
