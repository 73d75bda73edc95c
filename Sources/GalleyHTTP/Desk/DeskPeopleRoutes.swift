import Foundation
import Galley
import GalleyCore
import Hummingbird

/// `/desk/people` (actors.manage): actors with their roles, desks and activation, and the
/// live desk sessions; `/desk/people/{id}`: one person's tokens (never the secrets) and
/// sessions. Its forms switch an actor off or on (at the version the page showed, as the
/// API's If-Match), end a session, and revoke a token; the domain's refusals are shown on
/// the page in its words.
struct DeskPeopleRoutes {
    let services: GalleyServices
    let pages: DeskPages

    // Bounds that keep a page under 100 KB with the longest names, labels and user agents.
    static let actorsPerPage = 40
    static let sessionsShown = 30
    static let tokensShown = 40

    struct ListPage {
        let chrome: DeskChrome
        let refusal: String?
        let actors: [ActorRow]
        let nextPage: String?
        let sessions: SessionList
        let toggleFrom = "list"
    }

    struct PersonPage {
        let chrome: DeskChrome
        let refusal: String?
        let person: ActorRow
        let tokens: [TokenRow]
        let hasTokens: Bool
        let olderTokens: Bool
        let sessions: SessionList
        let toggleFrom = "person"
    }

    struct ActorRow {
        let id: String
        let name: String
        let displayName: String
        /// "Display Name (name)", or the name alone when they are the same.
        let heading: String
        let kind: String
        let roles: String
        let desks: String
        let active: Bool
        let version: Int
        let toggle: String
        let turnOn: Bool

        init(_ actor: Actor) {
            id = actor.id.lowercasedString
            name = actor.name
            displayName = actor.displayName
            heading = actor.displayName == actor.name ? actor.name : "\(actor.displayName) (\(actor.name))"
            kind = actor.kind.rawValue
            roles = actor.roles.map(\.rawValue).joined(separator: ", ")
            desks = actor.sections.isEmpty ? "every section" : actor.sections.joined(separator: ", ")
            active = actor.active
            version = actor.version
            toggle = actor.active ? "Deactivate" : "Activate"
            turnOn = !actor.active
        }
    }

    struct SessionList {
        let rows: [SessionRow]
        let hasRows: Bool
        /// How many more live sessions there are than shown, if any.
        let notShown: Int?
        /// Where the "End session" forms come from (`list` or `person`).
        let from: String

        init(_ sessions: [SessionRecord], yours: UUID, from: String) {
            rows = sessions.prefix(DeskPeopleRoutes.sessionsShown).map { SessionRow($0, yours: yours) }
            hasRows = !sessions.isEmpty
            notShown = sessions.count > rows.count ? sessions.count - rows.count : nil
            self.from = from
        }
    }

    struct SessionRow {
        let sessionID: String
        let actorID: String
        let actorName: String
        let client: String
        let userAgent: String
        let signedInAt: String
        let signedInText: String
        let lastSeenAt: String
        let lastSeenText: String
        let yours: Bool

        init(_ session: SessionRecord, yours: UUID) {
            sessionID = session.id.lowercasedString
            actorID = session.actorID.lowercasedString
            actorName = session.actorName
            client = session.clientAddress
            userAgent = session.userAgent
            signedInAt = RFC3339.format(session.createdAt)
            signedInText = DeskFormat.time(session.createdAt)
            lastSeenAt = RFC3339.format(session.lastSeenAt)
            lastSeenText = DeskFormat.time(session.lastSeenAt)
            self.yours = session.id == yours
        }
    }

    struct TokenRow {
        let tokenID: String
        let label: String
        let createdText: String
        let expiresText: String
        let lastUsedText: String
        let state: String
        let live: Bool

        init(_ token: TokenRecord, now: Date) {
            tokenID = token.id.lowercasedString
            label = token.label.isEmpty ? "(no label)" : token.label
            createdText = DeskFormat.time(token.createdAt)
            expiresText = token.expiresAt.map(DeskFormat.time) ?? "never"
            lastUsedText = token.lastUsedAt.map(DeskFormat.time) ?? "not yet"
            let standing = token.state(at: now)
            switch standing {
            case .revoked(let at): state = "Revoked \(DeskFormat.time(at))"
            case .expired: state = "Expired"
            case .live: state = "Live"
            }
            live = standing == .live
        }
    }

    /// The page a form was sent from, shown again after it.
    enum Origin {
        case list
        case person(UUID)

        var path: String {
            switch self {
            case .list: "/desk/people"
            case .person(let id): "/desk/people/\(id.lowercasedString)"
            }
        }
    }

    func register(on desk: RouterGroup<GalleyRequestContext>) {
        desk.get("people") { request, context in
            let visit = try context.requireDesk()
            return try await list(visit, cursor: try DeskForm(query: request).filled("after"), refusal: nil)
        }
        desk.get("people/:id") { _, context in
            let visit = try context.requireDesk()
            return try await person(visit, try Self.id(context, "id", kind: "actor"), refusal: nil)
        }
        desk.post("people/:id/active") { _, context in try await setActive(context) }
        desk.post("people/sessions/:id/end") { _, context in try await endSession(context) }
        desk.post("people/tokens/:id/revoke") { _, context in try await revokeToken(context) }
    }

    // MARK: Pages

    private func list(_ visit: DeskVisit, cursor: String?, refusal: DeskNotice?) async throws -> Response {
        async let sessions = services.sessions.list(by: visit.caller)
        let actors = try await services.actors.page(cursor: cursor, limit: Self.actorsPerPage, by: visit.caller)
        let page = ListPage(
            chrome: DeskChrome(visit), refusal: refusal?.message, actors: actors.items.map(ActorRow.init),
            nextPage: actors.nextCursor.map { DeskFormat.link("/desk/people", [("after", $0)]) },
            sessions: SessionList(try await sessions, yours: visit.sessionID, from: "list"))
        return pages.render("people", page, status: refusal?.status ?? .ok)
    }

    private func person(_ visit: DeskVisit, _ id: UUID, refusal: DeskNotice?) async throws -> Response {
        async let actor = services.actors.fetch(id: id, by: visit.caller)
        // Newest first; an actor's old revoked tokens pile up, so the page keeps to the newest
        // (one more is read to know whether older ones exist).
        async let tokens = services.actors.tokens(of: .id(id), newest: Self.tokensShown + 1, by: visit.caller)
        let sessions = try await services.sessions.list(actorID: id, by: visit.caller)
        let now = services.environment.now()
        let newest = try await tokens
        let shown = newest.prefix(Self.tokensShown).map { TokenRow($0, now: now) }
        let page = PersonPage(
            chrome: DeskChrome(visit), refusal: refusal?.message, person: ActorRow(try await actor), tokens: Array(shown),
            hasTokens: !shown.isEmpty, olderTokens: newest.count > shown.count,
            sessions: SessionList(sessions, yours: visit.sessionID, from: "person"))
        return pages.render("person", page, status: refusal?.status ?? .ok)
    }

    /// The page `origin` again after a refused form, the refusal on it in words.
    private func refused(_ error: GalleyError, _ visit: DeskVisit, on origin: Origin) async throws -> Response {
        switch origin {
        case .list: try await list(visit, cursor: nil, refusal: try DeskNotice(error))
        case .person(let id): try await person(visit, id, refusal: try DeskNotice(error))
        }
    }

    // MARK: Forms

    private func setActive(_ context: GalleyRequestContext) async throws -> Response {
        let visit = try context.requireDesk()
        let form = try context.requireForm()
        let id = try Self.id(context, "id", kind: "actor")
        let origin: Origin = form["from"] == "person" ? .person(id) : .list
        do {
            guard let version = form["version"].flatMap(Int.init), let active = form["active"].flatMap(Bool.init) else {
                throw GalleyError.validation([
                    .init(field: "form", message: "must carry the actor's version and active (true or false); reload the page and try again")
                ])
            }
            _ = try await services.actors.update(.id(id), .init(active: active), expectedVersion: ExpectedVersion(version), by: visit.caller)
        } catch let error as GalleyError where !Self.isSignedOut(error) {
            return try await refused(error, visit, on: origin)
        }
        return DeskPages.seeOther(origin.path)
    }

    private func endSession(_ context: GalleyRequestContext) async throws -> Response {
        let visit = try context.requireDesk()
        let form = try context.requireForm()
        let id = try Self.id(context, "id", kind: "live session")
        let origin = Self.origin(form)
        do {
            try await services.sessions.revoke(id, by: visit.caller)
        } catch let error as GalleyError where !Self.isSignedOut(error) {
            return try await refused(error, visit, on: origin)
        }
        return DeskPages.seeOther(origin.path)
    }

    private func revokeToken(_ context: GalleyRequestContext) async throws -> Response {
        let visit = try context.requireDesk()
        let form = try context.requireForm()
        let id = try Self.id(context, "id", kind: "live token")
        let origin = Self.origin(form)
        do {
            try await services.actors.revokeToken(id, by: visit.caller)
        } catch let error as GalleyError where !Self.isSignedOut(error) {
            return try await refused(error, visit, on: origin)
        }
        return DeskPages.seeOther(origin.path)
    }

    /// The list when the form says it came from there, else the page of the actor it
    /// names (`actor`), if any.
    private static func origin(_ form: DeskForm) -> Origin {
        guard form["from"] != "list" else { return .list }
        return form["actor"].flatMap(UUIDFormat.parse).map(Origin.person) ?? .list
    }

    /// Whether the caller's own session ended meanwhile: no page to show them then.
    private static func isSignedOut(_ error: GalleyError) -> Bool {
        if case .unauthenticated = error { return true }
        return false
    }

    private static func id(_ context: GalleyRequestContext, _ name: String, kind: String) throws -> UUID {
        let text = context.parameters.get(name) ?? ""
        guard let id = UUIDFormat.parse(text) else { throw GalleyError.notFound(kind: kind, id: String(text.prefix(64))) }
        return id
    }
}
