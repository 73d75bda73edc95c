import Hummingbird

/// Answers 405 with an `Allow` header, instead of 404, when the path names a resource but
/// not with this method. Added after every route, so it wraps only the router's not-found
/// fallback.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Route templates as path segments (`{id}` matches any one segment), with their methods.
    let routes: [(segments: [Substring], methods: [String])]

    init(routes: [Router<Context>.RouteDescription]) {
        var methods: [String: [String]] = [:]
        for route in routes { methods[route.path.description, default: []].append(route.method.rawValue) }
        self.routes = methods.map { path, methods in (path.split(separator: "/"), methods.sorted()) }
    }

    func allowed(_ path: String) -> [String] {
        let segments = path.split(separator: "/")
        return routes.first { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { template, segment in template.hasPrefix("{") || template == segment }
        }?.methods ?? []
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let methods = allowed(request.uri.path)
            guard !methods.isEmpty else { throw error }
            var problem = Problem(
                status: .methodNotAllowed, type: "method-not-allowed", title: "Method not allowed",
                detail: "\(request.method.rawValue) is not supported here; use \(methods.joined(separator: " or ")).")
            problem.headers[.allow] = methods.joined(separator: ", ")
            throw problem
        }
    }
}
