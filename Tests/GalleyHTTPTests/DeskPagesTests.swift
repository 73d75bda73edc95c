import AsyncHTTPClient
import Foundation
import Galley
import GalleyCore
import HTTPTypes
import Hummingbird
import Testing

/// The desk's pages besides review: the queue, an article's history, the audit log, people,
/// and the queue's live events.
@Suite struct DeskPagesTests {
    static let operatorCaller = Caller(principal: .operator(osUser: "test"))

    @Test func theQueueShowsAnAssignedStepFirstAndMarksItOverdue() async throws {
        try await APIHarness.with { api in
            let older = try await api.createArticle(title: "Ferry timetable changes")
            let assigned = try await api.createArticle(title: "Bridge reopens after repairs")
            for id in [older, assigned] { #expect(try await api.transition(id, "submit", as: "wendy").status == .ok) }
            let made = try await api.call(
                .post, "/v1/articles/\(assigned)/assignments", as: "eddie",
                json: ["checkpoint": "source_check", "assignee": "fiona", "due_at": "2020-01-01T09:00:00Z"])
            #expect(made.status == .created, "\(made.text)")

            let browser = try await DeskBrowser.signedIn("fiona", on: api)
            let page = try await browser.get("/desk")
            #expect(page.status == .ok)
            let text = page.text
            let first = try #require(text.range(of: "Bridge reopens after repairs"))
            let second = try #require(text.range(of: "Ferry timetable changes"))
            #expect(first.lowerBound < second.lowerBound, "the assigned step comes first")
            let assignedRow = try #require(Self.row(containing: "Bridge reopens after repairs", in: text))
            #expect(assignedRow.contains("Overdue"), "\(assignedRow)")
            #expect(assignedRow.contains("You"))
            #expect(assignedRow.contains(#"href="/desk/articles/\#(assigned)""#))
            #expect(!(Self.row(containing: "Ferry timetable changes", in: text) ?? "").contains("Overdue"))
            // Live activity is for browsers with scripts, from our own file; the page works without.
            #expect(text.contains(#"<script src="/desk/static/queue.js" defer></script>"#))
            #expect(text.contains("Latest activity") && text.contains(#"aria-live="polite""#))
            #expect(try await browser.get("/desk/static/queue.js").headers[.contentType]?.hasPrefix("text/javascript") == true)
            Self.expectAccessible(text)
        }
    }

    @Test func theQueueFiltersByStepAndSection() async throws {
        try await APIHarness.with { api in
            let world = try await api.createArticle(section: "world", title: "Summit ends without a deal")
            let local = try await api.createArticle(section: "local", title: "Library extends its hours")
            for id in [world, local] { #expect(try await api.transition(id, "submit", as: "wendy").status == .ok) }
            let browser = try await DeskBrowser.signedIn("eddie", on: api)
            let all = try await browser.get("/desk")
            #expect(all.text.contains("Summit ends without a deal") && all.text.contains("Library extends its hours"))
            #expect(all.text.contains(#"<label for="queue-step">Step</label>"#))
            #expect(all.text.contains(#"<label for="queue-section">Section</label>"#))
            #expect(all.text.contains(#"<option value="source_check">"#) && all.text.contains(#"<option value="publish">"#))
            #expect(all.text.contains(">Filter</button>"))

            let bySection = try await browser.get("/desk?waiting_for=&section=local")
            #expect(bySection.text.contains("Library extends its hours"))
            #expect(!bySection.text.contains("Summit ends without a deal"))
            #expect(bySection.text.contains(#"value="local""#), "the filter keeps its value")
            let byStep = try await browser.get("/desk?waiting_for=approval&section=")
            #expect(byStep.status == .ok)
            #expect(!byStep.text.contains("Library extends its hours") && byStep.text.contains("Nothing is waiting"))
            #expect(byStep.text.contains(#"<option value="approval" selected>"#))

            let refused = try await browser.get("/desk?section=Not+A+Slug")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("section must be a lowercase slug"), "\(refused.text)")
            #expect(refused.text.contains(#"value="Not A Slug""#))
        }
    }

    @Test func theQueueAndThePeoplePageArePagedWithNextPageLinks() async throws {
        try await APIHarness.with { api in
            // The queue shows 25 steps a page, the people page 40 actors.
            for number in 1...26 {
                let id = try await api.createArticle(title: "Story \(number)")
                #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            }
            let browser = try await DeskBrowser.signedIn("fiona", on: api)
            let first = try await browser.get("/desk?section=world")
            let link = try #require(Self.href(ofLink: "Next page", in: first.text))
            #expect(link.hasPrefix("/desk?section=world&cursor="), "\(link)")
            let second = try await browser.get(link)
            #expect(second.status == .ok)
            #expect(Self.rows(in: first.text) == 25 && Self.rows(in: second.text) == 1)
            #expect(Self.href(ofLink: "Next page", in: second.text) == nil)

            for number in 1...40 {
                _ = try await api.services.actors.add(.init(name: "reporter-\(number)", kind: .person, roles: [.writer]), by: Self.operatorCaller)
            }
            let ada = try await DeskBrowser.signedIn("ada", on: api)
            let people = try await ada.get("/desk/people")
            let next = try #require(Self.href(ofLink: "Next page", in: people.text))
            let rest = try await ada.get(next)
            #expect(rest.status == .ok)
            #expect(rest.text.contains(">wendy</a>") && !people.text.contains(">wendy</a>"), "names after the first page's last")
        }
    }

    @Test func aWriterCannotOpenTheAuditOrPeoplePages() async throws {
        try await APIHarness.with { api in
            let browser = try await DeskBrowser.signedIn("wendy", on: api)
            let audit = try await browser.get("/desk/audit")
            #expect(audit.status == .forbidden)
            #expect(audit.text.contains("missing permission audit.read"), "\(audit.text)")
            let people = try await browser.get("/desk/people")
            #expect(people.status == .forbidden)
            #expect(people.text.contains("missing permission actors.manage"), "\(people.text)")
            let export = try await browser.get("/desk/audit/export?format=csv")
            #expect(export.status == .forbidden)
            #expect(!(export.headers[.contentType] ?? "").contains("csv"))
            let queue = try await browser.get("/desk")
            #expect(!queue.text.contains(#"href="/desk/audit""#) && !queue.text.contains(#"href="/desk/people""#))
        }
    }

    @Test func theDeskExportStreamsCSVForAuditReaders() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle(title: "Exported")
            #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            let browser = try await DeskBrowser.signedIn("lou", on: api)
            let csv = try await browser.get("/desk/audit/export?format=csv&action=article.submit")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition]?.contains("audit-events.csv") == true)
            let api_ = try await api.call(.get, "/v1/audit-events/export?format=csv&action=article.submit", as: "lou")
            #expect(csv.text == api_.text, "the desk's export is the API's, byte for byte")
            #expect(csv.text.split(whereSeparator: \.isNewline).count == 2)
            let jsonl = try await browser.get("/desk/audit/export?format=jsonl&article_id=\(id)")
            #expect(jsonl.headers[.contentType] == "application/jsonl")
            #expect(jsonl.text.split(whereSeparator: \.isNewline).count == 2)
            #expect(try await browser.get("/desk/audit/export?format=xml").status == .unprocessableContent)
        }
    }

    @Test func theHistoryPageShowsTheTimelineAndHowTheArticleWasChecked() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle(title: "Harbour dredging approved")
            #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            let verdict = try await api.call(
                .post, "/v1/articles/\(id)/checkpoints", as: "fiona",
                json: [
                    "checkpoint": "source_check", "verdict": "passed", "revision": 1, "note": "Matched the council minutes",
                    "evidence": [["url": "https://example.org/minutes"]],
                ])
            #expect(verdict.status == .created, "\(verdict.text)")
            #expect(try await api.transition(id, "approve", as: "eddie").status == .ok)
            let record = try await api.services.provenance.record(UUID(uuidString: id)!, by: Self.operatorCaller)

            let browser = try await DeskBrowser.signedIn("wendy", on: api)
            let page = try await browser.get("/desk/articles/\(id)/history")
            #expect(page.status == .ok)
            let text = page.text
            #expect(text.contains("<h1>History of “Harbour dredging approved”</h1>"), "\(text.prefix(3000))")
            #expect(text.contains("article.submit") && text.contains("verification.recorded") && text.contains("article.approve"))
            #expect(text.contains("in_review") && text.contains("approved"))
            #expect(text.contains("<h2 id=\"checked\">How this article was checked</h2>"))
            let cardStart = try #require(text.range(of: "How this article was checked"))
            let card = String(text[cardStart.lowerBound...])
            #expect(card.contains("source_check") && card.contains("passed") && card.contains("fiona"))
            #expect(card.contains("Matched the council minutes"))
            #expect(card.contains(record.revision.content.contentHash))
            #expect(card.contains(#"href="https://example.org/minutes""#))
            #expect(card.contains("Approved by eddie"))
            #expect(card.contains("Not published"))
            Self.expectAccessible(text)
            #expect(try await browser.get("/desk/articles/\(UUID().lowercasedString)/history").status == .notFound)
        }
    }

    @Test func theAuditPageShowsTheChainStatusFiltersAndExportLinks() async throws {
        try await APIHarness.with { api in
            let id = try await api.createArticle(title: "Audited")
            #expect(try await api.transition(id, "submit", as: "wendy").status == .ok)
            let browser = try await DeskBrowser.signedIn("eddie", on: api)
            let page = try await browser.get("/desk/audit")
            #expect(page.status == .ok)
            #expect(page.text.contains("article.created") && page.text.contains("article.submit"))
            #expect(page.text.contains(">Verify the chain</button>"))
            Self.expectAccessible(page.text)

            // Before: a GET (a link anywhere) started a full verification.
            let linked = try await browser.get("/desk/audit?verify=yes")
            #expect(linked.status == .ok && !linked.text.contains("The audit chain is intact"))
            let forged = try await browser.post("/desk/audit/verification", [:], csrf: "forged")
            #expect(forged.status == .forbidden)
            try await browser.get("/desk/audit")
            let verified = try await browser.post("/desk/audit/verification", ["action": "article.submit"])
            #expect(verified.status == .ok)
            #expect(verified.text.contains("The audit chain is intact"), "\(verified.text)")
            #expect(verified.text.contains("article.submit") && !verified.text.contains("article.created"))
            let writer = try await DeskBrowser.signedIn("wendy", on: api)
            try await writer.get("/desk")
            #expect(try await writer.post("/desk/audit/verification", [:]).status == .forbidden)

            let filtered = try await browser.get("/desk/audit?action=article.submit&actor=&article_id=&since=&until=")
            #expect(filtered.text.contains("article.submit") && !filtered.text.contains("article.created"))
            #expect(filtered.text.contains(#"href="/desk/audit/export?format=csv&amp;action=article.submit""#), "\(filtered.text)")
            #expect(filtered.text.contains(#"href="/desk/audit/export?format=jsonl&amp;action=article.submit""#))
            let since = try await browser.get("/desk/audit?since=2999-01-01T00:00")
            #expect(since.status == .ok && !since.text.contains("article.submit"))
            let refused = try await browser.get("/desk/audit?article_id=nope")
            #expect(refused.status == .unprocessableContent && refused.text.contains("article_id must be an article"), "\(refused.text)")
        }
    }

    @Test func theAdminDeactivatesSomeoneFromThePeoplePageAndTheirSessionEnds() async throws {
        try await APIHarness.with { api in
            let erin = try await DeskBrowser.signedIn("erin", on: api)
            #expect(try await erin.get("/desk").status == .ok)
            let ada = try await DeskBrowser.signedIn("ada", on: api)
            let page = try await ada.get("/desk/people")
            #expect(page.status == .ok)
            Self.expectAccessible(page.text)
            let ids = try await api.actorIDs()
            let erinID = try #require(ids["erin"])
            let row = try #require(Self.row(containing: "/desk/people/\(erinID)\"", in: page.text))
            #expect(row.contains("editor") && row.contains(">Deactivate</button>"))
            let version = try #require(Self.hidden("version", in: row))

            let done = try await ada.post("/desk/people/\(erinID)/active", ["active": "false", "version": version, "from": "list"])
            #expect(done.status == .seeOther, "\(done.text)")
            #expect(done.headers[.location] == "/desk/people")
            #expect(try await erin.get("/desk").status == .seeOther, "erin's session ended")
            let after = try await ada.get("/desk/people")
            #expect(try #require(Self.row(containing: "/desk/people/\(erinID)\"", in: after.text)).contains(">Activate</button>"))

            // A stale version is refused in words, as If-Match is.
            let stale = try await ada.post("/desk/people/\(erinID)/active", ["active": "true", "version": version, "from": "list"])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.text.contains(#"role="alert""#) && stale.text.contains("changed since you read it"), "\(stale.text)")
            // The domain's rules hold: the last active admin stays one.
            let adaID = try #require(ids["ada"])
            let adaRow = try #require(Self.row(containing: "/desk/people/\(adaID)\"", in: stale.text))
            let selfOff = try await ada.post(
                "/desk/people/\(adaID)/active", ["active": "false", "version": try #require(Self.hidden("version", in: adaRow)), "from": "list"])
            #expect(selfOff.status == .conflict)
            #expect(selfOff.text.contains("ada is the last active admin"), "\(selfOff.text)")
        }
    }

    @Test func endSessionEndsASessionAndRevokeTokenRevokesAToken() async throws {
        try await APIHarness.with { api in
            let fiona = try await DeskBrowser.signedIn("fiona", on: api)
            let ada = try await DeskBrowser.signedIn("ada", on: api)
            let sessions = try await api.services.sessions.list(by: Self.operatorCaller)
            let fionaSession = try #require(sessions.first { $0.actorName == "fiona" })
            let page = try await ada.get("/desk/people")
            let row = try #require(Self.row(containing: "/desk/people/sessions/\(fionaSession.id.lowercasedString)/end", in: page.text))
            #expect(row.contains("fiona") && row.contains(">End session</button>"))
            let ended = try await ada.post("/desk/people/sessions/\(fionaSession.id.lowercasedString)/end", ["from": "list"])
            #expect(ended.status == .seeOther, "\(ended.text)")
            #expect(try await fiona.get("/desk").status == .seeOther)
            let again = try await ada.get("/desk/people")
            #expect(!again.text.contains(fionaSession.id.lowercasedString))

            let wendyID = try #require(try await api.actorIDs()["wendy"])
            let person = try await ada.get("/desk/people/\(wendyID)")
            #expect(person.status == .ok)
            Self.expectAccessible(person.text)
            #expect(!person.text.contains(try #require(api.tokens["wendy"])), "never the token itself")
            let token = try #require(try await api.services.actors.tokens(of: .name("wendy"), by: Self.operatorCaller).first)
            #expect(person.text.contains("/desk/people/tokens/\(token.id.lowercasedString)/revoke"))
            let revoked = try await ada.post("/desk/people/tokens/\(token.id.lowercasedString)/revoke", ["actor": wendyID])
            #expect(revoked.status == .seeOther)
            #expect(revoked.headers[.location] == "/desk/people/\(wendyID)")
            #expect(try await api.call(.get, "/v1/queue", as: "wendy").status == .unauthorized)
            let shown = try await ada.get("/desk/people/\(wendyID)")
            #expect(try #require(Self.row(containing: token.id.lowercasedString, in: shown.text)).contains("Revoked"))
            let twice = try await ada.post("/desk/people/tokens/\(token.id.lowercasedString)/revoke", ["actor": wendyID])
            #expect(twice.status == .notFound && twice.text.contains(#"role="alert""#), "\(twice.text)")
        }
    }

    @Test func deskEventsStreamTheCallersEventsAndEndWhenTheSessionIsRevoked() async throws {
        try await APIHarness.with { api in
            let followed = try await api.createArticle(title: "Followed")
            let other = try await api.createArticle(title: "Not followed")
            #expect(try await api.call(.post, "/v1/articles/\(followed)/comments", as: "fiona", json: ["body": "Mine"]).status == .created)
            let fiona = try await DeskBrowser.signedIn("fiona", on: api)
            let cookie = try #require(fiona.cookies["galley_session"])
            let session = try #require(try await api.services.sessions.list(by: Self.operatorCaller).first { $0.actorName == "fiona" })
            let server = try await LiveGalley.start(api)
            do {
                let response = try await server.client.execute(server.deskEvents(cookie: cookie), timeout: .seconds(20))
                #expect(response.status.code == 200)
                #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
                let streamed = try await withThrowingTaskGroup(of: String?.self) { group in
                    group.addTask {
                        var text = ""
                        var submitted = false
                        var revoked = false
                        for try await chunk in response.body {
                            text += String(buffer: chunk)
                            if !submitted, text.contains("retry:") {
                                submitted = true
                                #expect(try await api.transition(other, "submit", as: "wendy").status == .ok)
                                #expect(try await api.transition(followed, "submit", as: "wendy").status == .ok)
                            }
                            if !revoked, text.contains("event: article.submitted") {
                                revoked = true
                                try await api.services.sessions.revoke(session.id, by: Self.operatorCaller)
                            }
                        }
                        return text
                    }
                    group.addTask {
                        try await Task.sleep(for: .seconds(15))
                        return nil
                    }
                    let first = try await group.next() ?? nil
                    group.cancelAll()
                    return first
                }
                let text = try #require(streamed, "the stream was still open 15 seconds after its session ended")
                #expect(text.contains("event: article.submitted"))
                #expect(text.contains("\"article_id\":\"\(followed)\""))
                #expect(!text.contains(other), "an article fiona does not work on is not hers to follow")
                #expect(text.contains("desk session has ended"))
                let after = try await server.client.execute(server.deskEvents(cookie: cookie), timeout: .seconds(10))
                #expect(after.status.code == 303)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    // MARK: Reading pages

    /// The table row (`<tr>…</tr>`) holding `text`.
    static func row(containing text: String, in page: String) -> String? {
        guard let hit = page.range(of: text), let start = page[..<hit.lowerBound].range(of: "<tr", options: .backwards),
            let end = page[hit.upperBound...].range(of: "</tr>")
        else { return nil }
        return String(page[start.lowerBound..<end.upperBound])
    }

    /// Where the link with this text goes, its `&amp;` read back as `&`.
    static func href(ofLink text: String, in page: String) -> String? {
        matches(#"<a href="([^"]*)"[^>]*>\#(text)</a>"#, in: page).first?.replacingOccurrences(of: "&amp;", with: "&")
    }

    /// How many body rows the page's tables have.
    static func rows(in page: String) -> Int {
        page.components(separatedBy: "<tr").count - 1 - page.components(separatedBy: "<thead>").count + 1
    }

    /// The value of the hidden field `name` in `html`.
    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value="([^"]*)""#, options: .regularExpression) else { return nil }
        return String(html[range].split(separator: "\"")[3])
    }

    /// One h1, headings never skipping a level, and every visible control labelled by a
    /// `<label for>` naming its id.
    static func expectAccessible(_ page: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let levels = matches(#"<h([1-6])[ >]"#, in: page).compactMap { Int($0) }
        #expect(levels.filter { $0 == 1 }.count == 1, "one h1: \(levels)", sourceLocation: sourceLocation)
        for (previous, next) in zip(levels, levels.dropFirst()) where next > previous + 1 {
            Issue.record("heading h\(next) follows h\(previous)", sourceLocation: sourceLocation)
        }
        let labelled = Set(matches(#"<label for="([^"]+)""#, in: page))
        for control in matches(#"(<(?:input|select|textarea)\b[^>]*>)"#, in: page) {
            if control.contains(#"type="hidden""#) { continue }
            let id = matches(#"\bid="([^"]+)""#, in: control).first
            #expect(id.map(labelled.contains) == true, "unlabelled control: \(control)", sourceLocation: sourceLocation)
        }
        #expect(page.utf8.count <= 100_000, "the page weighs \(page.utf8.count) bytes", sourceLocation: sourceLocation)
    }

    private static func matches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}

extension LiveGalley {
    /// `/desk/events` with the desk's session cookie, as a browser's EventSource asks for it.
    func deskEvents(cookie: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/desk/events")
        request.headers.add(name: "Cookie", value: "galley_session=\(cookie)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        return request
    }
}
