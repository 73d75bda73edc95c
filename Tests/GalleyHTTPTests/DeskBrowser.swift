import Foundation
import Galley
import GalleyCore
import Hummingbird
import HummingbirdTesting

/// A browser's part for the desk's tests: keeps cookies, reads the CSRF token from the last
/// page, and sends forms as a browser does.
final class DeskBrowser: @unchecked Sendable {
    let harness: APIHarness
    private(set) var cookies: [String: String] = [:]
    private(set) var lastPage = ""

    init(_ harness: APIHarness) {
        self.harness = harness
    }

    static let password = "correct horse battery staple"

    /// Gives `name` the test password and signs in as them.
    static func signedIn(_ name: String, on harness: APIHarness) async throws -> DeskBrowser {
        try await harness.services.actors.setPassword(
            for: .name(name), to: password, by: Caller(principal: .operator(osUser: "test")))
        let browser = DeskBrowser(harness)
        let reply = try await browser.signIn(name, password: password)
        guard reply.status == .seeOther else { throw HarnessError("sign-in failed: \(reply.status) \(reply.text)") }
        return browser
    }

    func signIn(_ name: String, password: String) async throws -> APIHarness.Reply {
        TestRunLog.secret(password)
        _ = try await get("/desk/login")
        return try await post("/desk/login", ["name": name, "password": password])
    }

    @discardableResult
    func get(_ path: String) async throws -> APIHarness.Reply {
        let reply = try await send(.get, path, body: nil)
        if reply.status == .ok { lastPage = reply.text }
        return reply
    }

    /// Posts `fields` with the CSRF token of the last page (unless `csrf` says otherwise).
    @discardableResult
    func post(_ path: String, _ fields: [String: String], csrf: String? = nil) async throws -> APIHarness.Reply {
        var all = fields
        if all["_csrf"] == nil { all["_csrf"] = csrf ?? Self.csrfToken(in: lastPage) ?? "" }
        for (name, value) in all where name == "_csrf" || name.contains("password") { TestRunLog.secret(value) }
        let body = all.sorted { $0.key < $1.key }.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        let reply = try await send(.post, path, body: body)
        if reply.status == .ok || reply.status.code >= 400 { lastPage = reply.text }
        return reply
    }

    private func send(_ method: HTTPRequest.Method, _ path: String, body: String?) async throws -> APIHarness.Reply {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let reply = try await harness.client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            APIHarness.Reply(status: $0.status, headers: $0.headers, body: Data(buffer: $0.body))
        }
        for field in reply.headers where field.name == .setCookie {
            let pair = field.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty || field.value.contains("Max-Age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
            TestRunLog.secret(pair[1])
        }
        return reply
    }

    static func csrfToken(in page: String) -> String? {
        guard let range = page.range(of: #"name="_csrf" value="([^"]*)""#, options: .regularExpression) else { return nil }
        return String(page[range].split(separator: "\"")[3])
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
