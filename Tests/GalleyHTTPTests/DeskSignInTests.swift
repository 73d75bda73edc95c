import Foundation
import Galley
import GalleyCore
import HTTPTypes
import Hummingbird
import Testing

/// Signing in to the review desk, its session cookie, and what every page sends.
@Suite struct DeskSignInTests {
    @Test func aPersonSignsInSeesTheirQueueAndSignsOut() async throws {
        try await APIHarness.with { api in
            let browser = try await DeskBrowser.signedIn("fiona", on: api)
            let session = try #require(browser.cookies["galley_session"])
            #expect(!session.isEmpty)
            let queue = try await browser.get("/desk")
            #expect(queue.status == .ok)
            #expect(queue.text.contains("<h1>My queue</h1>"))
            #expect(queue.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(queue.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(queue.headers[.xContentTypeOptions] == "nosniff")
            #expect(queue.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")

            let signedOut = try await browser.post("/desk/logout", [:])
            #expect(signedOut.status == .seeOther)
            #expect(signedOut.headers[.location] == "/desk/login")
            // The old cookie, kept by an attacker, opens nothing any more.
            let replayed = DeskBrowser(api)
            let again = try await replayedGet(replayed, cookie: session)
            #expect(again.status == .seeOther)
            #expect(again.headers[.location]?.hasPrefix("/desk/login") == true)
        }
    }

    @Test func theSessionCookieIsHttpOnlyAndSameSiteLax() async throws {
        try await APIHarness.with { api in
            try await api.services.actors.setPassword(
                for: .name("eddie"), to: DeskBrowser.password, by: Caller(principal: .operator(osUser: "test")))
            let browser = DeskBrowser(api)
            let reply = try await browser.signIn("eddie", password: DeskBrowser.password)
            let cookie = try #require(reply.headers[values: .setCookie].first { $0.hasPrefix("galley_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Path=/desk"))
            #expect(!cookie.contains("Secure"))
        }
    }

    @Test func aWrongPasswordIsRefusedOnTheSamePageWithTheNameKept() async throws {
        try await APIHarness.with { api in
            try await api.services.actors.setPassword(
                for: .name("eddie"), to: DeskBrowser.password, by: Caller(principal: .operator(osUser: "test")))
            let browser = DeskBrowser(api)
            let reply = try await browser.signIn("eddie", password: "not the password at all")
            #expect(reply.status == .unauthorized)
            #expect(reply.text.contains("The name or password is wrong"))
            #expect(reply.text.contains(#"value="eddie""#))
            #expect(browser.cookies["galley_session"] == nil)
        }
    }

    @Test func fiveFailuresLockTheNameForFifteenMinutesEvenForTheRightPassword() async throws {
        try await APIHarness.with { api in
            try await api.services.actors.setPassword(
                for: .name("eddie"), to: DeskBrowser.password, by: Caller(principal: .operator(osUser: "test")))
            let browser = DeskBrowser(api)
            for _ in 1...4 {
                #expect(try await browser.signIn("eddie", password: "wrong password, again").text.contains("The name or password is wrong"))
            }
            let fifth = try await browser.signIn("eddie", password: "wrong password, again")
            #expect(fifth.text.contains("Too many failed sign-ins for eddie"))
            let right = try await browser.signIn("eddie", password: DeskBrowser.password)
            #expect(right.status == .unauthorized)
            #expect(right.text.contains("locked until"))
            let audit = try await api.call(.get, "/v1/audit-events?action=sign_in.locked", as: "ada")
            #expect(audit.text.contains("\"name\":\"eddie\""), "\(audit.text)")
        }
    }

    @Test func aFormWithoutItsCSRFTokenIsRefused() async throws {
        try await APIHarness.with { api in
            let browser = try await DeskBrowser.signedIn("eddie", on: api)
            _ = try await browser.get("/desk")
            let forged = try await browser.post("/desk/logout", ["_csrf": "forged"])
            #expect(forged.status == .forbidden)
            #expect(forged.text.contains("did not come from your desk session"))
            #expect(try await browser.get("/desk").status == .ok)
            // Nor can the sign-in form be posted from another site.
            let stranger = DeskBrowser(api)
            let login = try await stranger.post("/desk/login", ["name": "eddie", "password": DeskBrowser.password, "_csrf": "x"])
            #expect(login.status == .forbidden)
        }
    }

    @Test func deactivatingAPersonEndsTheirSessionAtOnce() async throws {
        try await APIHarness.with { api in
            let browser = try await DeskBrowser.signedIn("erin", on: api)
            #expect(try await browser.get("/desk").status == .ok)
            let ids = try await api.actorIDs()
            let off = try await api.call(.patch, "/v1/actors/\(ids["erin"]!)", as: "ada", json: ["active": false])
            #expect(off.status == .ok, "\(off.text)")
            let after = try await browser.get("/desk")
            #expect(after.status == .seeOther)
            #expect(after.headers[.location]?.hasPrefix("/desk/login") == true)
        }
    }

    @Test func aServiceCannotGetAPassword() async throws {
        try await APIHarness.with { api in
            let error = await #expect(throws: GalleyError.self) {
                try await api.services.actors.setPassword(
                    for: .name("drafter"), to: DeskBrowser.password, by: Caller(principal: .operator(osUser: "test")))
            }
            guard case .validation(let problems) = error else {
                Issue.record("expected a validation error, got \(String(describing: error))")
                return
            }
            #expect(problems.map(\.field) == ["actor"])
            #expect(problems.first?.message.contains("drafter is a service") == true)
        }
    }

    @Test func aPageAskedForWithoutSigningInLeadsToTheSignInPageAndBack() async throws {
        try await APIHarness.with { api in
            let browser = DeskBrowser(api)
            let reply = try await browser.get("/desk")
            #expect(reply.status == .seeOther)
            #expect(reply.headers[.location] == "/desk/login?next=%2Fdesk")
            let form = try await browser.get("/desk/login?next=/desk")
            #expect(form.text.contains(#"<label for="login-name">Name</label>"#))
            #expect(form.text.contains(#"<label for="login-password">Password</label>"#))
            // Never back to another site.
            let elsewhere = try await browser.get("/desk/login?next=https://evil.example/desk")
            #expect(elsewhere.text.contains(#"name="next" value="/desk""#))
        }
    }

    @Test func anUnknownDeskAddressAnswersTheDesksNotFoundPage() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle(title: "Ferry timetable changes")
            let visitor = DeskBrowser(api)
            let signedIn = try await DeskBrowser.signedIn("eddie", on: api)
            for (browser, path) in [(visitor, "/desk/nope"), (signedIn, "/desk/nope/deeper"), (signedIn, "/desk/articles/\(id)/nope")] {
                let reply = try await browser.get(path)
                #expect(reply.status == .notFound, "\(path)")
                #expect(reply.headers[.contentType]?.hasPrefix("text/html") == true, "\(path): \(reply.text)")
                #expect(reply.text.contains("<h1>Not found</h1>") && reply.text.contains("There is no desk page at \(path)."))
                #expect(reply.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            }
            // The desk's pages still answer, and the API's unknown addresses stay problem documents.
            #expect(try await signedIn.get("/desk/articles/\(id)").status == .ok)
            #expect(try await signedIn.get("/desk/static/desk.css").status == .ok)
            let api404 = try await api.call(.get, "/v1/nope", as: "eddie")
            #expect(api404.status == .notFound && api404.headers[.contentType]?.hasPrefix("application/problem+json") == true)
        }
    }

    private func replayedGet(_ browser: DeskBrowser, cookie: String) async throws -> APIHarness.Reply {
        try await browser.harness.client.execute(uri: "/desk", method: .get, headers: [.cookie: "galley_session=\(cookie)"]) {
            APIHarness.Reply(status: $0.status, headers: $0.headers, body: Data(buffer: $0.body))
        }
    }
}
