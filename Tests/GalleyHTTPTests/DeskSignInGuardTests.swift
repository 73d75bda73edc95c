import Foundation
import Galley
import GalleyCore
import GalleyHTTP
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import Testing

/// What the sign-in guards against: guesses in parallel, a stale or empty form token, a
/// session left behind in the browser, and cookies sent in clear over TLS.
@Suite struct DeskSignInGuardTests {
    static let operatorCaller = Caller(principal: .operator(osUser: "test"))

    func failuresRecorded(_ api: APIHarness, for name: String) async throws -> Int {
        try await api.pool.query("SELECT count(*)::int AS n FROM sign_in_failures WHERE name = \(name)")[0].decode("n")
    }

    @Test func twentyGuessesAtOnceGetNoMoreThanFiveTriesAndLockTheName() async throws {
        try await APIHarness.with { api in
            try await api.services.actors.setPassword(for: .name("eddie"), to: DeskBrowser.password, by: Self.operatorCaller)
            let refusals = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        do {
                            _ = try await api.services.sessions.signIn(
                                name: "eddie", password: "a wrong guess", clientAddress: "198.51.100.7", userAgent: "", requestID: nil)
                            return "signed in"
                        } catch GalleyError.unauthenticated(let message) {
                            return message
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(!refusals.contains("signed in"))
            #expect(refusals.filter { $0.contains("Too many failed sign-ins") }.count >= 15)
            #expect(try await failuresRecorded(api, for: "eddie") <= 5)
            await #expect(throws: GalleyError.self) {
                _ = try await api.services.sessions.signIn(
                    name: "eddie", password: DeskBrowser.password, clientAddress: "198.51.100.7", userAgent: "", requestID: nil)
            }
        }
    }

    @Test func sixSuccessfulSignInsInARowLockNothing() async throws {
        try await APIHarness.with { api in
            try await api.services.actors.setPassword(for: .name("eddie"), to: DeskBrowser.password, by: Self.operatorCaller)
            for _ in 1...6 {
                _ = try await api.services.sessions.signIn(
                    name: "eddie", password: DeskBrowser.password, clientAddress: "198.51.100.7", userAgent: "", requestID: nil)
            }
            #expect(try await failuresRecorded(api, for: "eddie") == 0)
        }
    }

    @Test func lockingANameNobodyHasIsNotAudited() async throws {
        try await APIHarness.with { api in
            let browser = DeskBrowser(api)
            for _ in 1...5 { _ = try await browser.signIn("nobody-here", password: "a wrong guess") }
            let locked = try await browser.signIn("nobody-here", password: "a wrong guess")
            #expect(locked.text.contains("Too many failed sign-ins for nobody-here"))
            let audit = try await api.call(.get, "/v1/audit-events?action=sign_in.locked", as: "ada")
            #expect(audit.status == .ok)
            #expect(!audit.text.contains("nobody-here"), "\(audit.text)")
        }
    }

    @Test func signingInAgainEndsTheSessionTheBrowserHad() async throws {
        try await APIHarness.with { api in
            let browser = try await DeskBrowser.signedIn("eddie", on: api)
            let first = try #require(browser.cookies["galley_session"])
            let again = try await browser.signIn("eddie", password: DeskBrowser.password)
            #expect(again.status == .seeOther)
            #expect(browser.cookies["galley_session"] != first)
            await #expect(throws: GalleyError.self) { _ = try await api.services.sessions.visit(secret: first, requestID: nil) }
            let audit = try await api.call(.get, "/v1/audit-events?action=session.ended", as: "ada")
            #expect(audit.text.contains("signed_out"), "\(audit.text)")
        }
    }

    @Test func signingInAndOutIsAudited() async throws {
        try await APIHarness.with { api in
            let browser = try await DeskBrowser.signedIn("eddie", on: api)
            _ = try await browser.get("/desk")
            _ = try await browser.post("/desk/logout", [:])
            let started = try await api.call(.get, "/v1/audit-events?action=session.started", as: "ada")
            #expect(started.text.contains("\"actor\":\"eddie\""), "\(started.text)")
            #expect(started.text.contains("session_id"))
            #expect(started.text.contains("client_address"))
            let ended = try await api.call(.get, "/v1/audit-events?action=session.ended", as: "ada")
            #expect(ended.text.contains("\"reason\":\"signed_out\""), "\(ended.text)")
        }
    }

    func postLogin(_ api: APIHarness, cookie: String, csrf: String) async throws -> APIHarness.Reply {
        let body = "name=eddie&password=\(DeskBrowser.encode(DeskBrowser.password))&_csrf=\(csrf)"
        return try await api.client.execute(
            uri: "/desk/login", method: .post,
            headers: [.cookie: "galley_login=\(cookie)", .contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body)
        ) { APIHarness.Reply(status: $0.status, headers: $0.headers, body: Data(buffer: $0.body)) }
    }

    @Test func anEmptyOrMismatchedSignInTokenIsRefused() async throws {
        try await APIHarness.with { api in
            try await api.services.actors.setPassword(for: .name("eddie"), to: DeskBrowser.password, by: Self.operatorCaller)
            #expect(try await postLogin(api, cookie: "", csrf: "").status == .forbidden)
            #expect(try await postLogin(api, cookie: "abcdef", csrf: "abcdeg").status == .forbidden)
            #expect(try await postLogin(api, cookie: "abcdef", csrf: "abcdef").status == .seeOther)
        }
    }

    @Test func theSessionCookieIsSecureBehindATLSProxy() async throws {
        try await APIHarness.with { api in
            try await api.services.actors.setPassword(for: .name("eddie"), to: DeskBrowser.password, by: Self.operatorCaller)
            let body = "name=eddie&password=\(DeskBrowser.encode(DeskBrowser.password))&_csrf=tok"
            let reply = try await api.client.execute(
                uri: "/desk/login", method: .post,
                headers: [
                    .cookie: "galley_login=tok", .contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Forwarded-Proto")!: "https",
                ], body: ByteBuffer(string: body)
            ) { APIHarness.Reply(status: $0.status, headers: $0.headers, body: Data(buffer: $0.body)) }
            let cookie = try #require(reply.headers[values: .setCookie].first { $0.hasPrefix("galley_session=") })
            #expect(cookie.contains("Secure"))
        }
    }

    @Test func theSessionCookieIsSecureWhenThePublicAddressIsHTTPS() async throws {
        try await APIHarness.with { api in
            try await api.services.actors.setPassword(for: .name("eddie"), to: DeskBrowser.password, by: Self.operatorCaller)
            let router = buildRouter(services: api.services, pool: api.pool, metrics: HTTPMetrics(), desk: DeskSettings(publicURLIsHTTPS: true))
            try await Application(router: router, logger: TestRunLog.logger()).test(.router) { client in
                let form = try await client.execute(uri: "/desk/login", method: .get) { $0 }
                let loginCookie = try #require(form.headers[values: .setCookie].first { $0.hasPrefix("galley_login=") })
                #expect(loginCookie.contains("Secure"))
                let body = "name=eddie&password=\(DeskBrowser.encode(DeskBrowser.password))&_csrf=tok"
                let reply = try await client.execute(
                    uri: "/desk/login", method: .post,
                    headers: [.cookie: "galley_login=tok", .contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body)
                ) { $0 }
                let cookie = try #require(reply.headers[values: .setCookie].first { $0.hasPrefix("galley_session=") })
                #expect(cookie.contains("Secure"))
            }
        }
    }
}
