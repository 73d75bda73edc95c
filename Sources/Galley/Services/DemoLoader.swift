import Foundation
import GalleyCore
import Postgres

/// Loads the demo newsroom once: one actor per role with a token each (and a desk password
/// for each person), and a few articles in different states, every step taken by the actor
/// who would take it, through the services, so the demo's audit log reads like a real
/// newsroom's.
public struct DemoLoader: Sendable {
    let env: GalleyEnvironment

    public struct Member: Sendable {
        public let actor: Actor
        public let token: String
        /// A person's desk password, random for each load; nil for a service, which never signs in.
        public let password: String?
    }

    public struct Result: Sendable {
        /// True when an earlier run loaded the demo; nothing else is set then.
        public let alreadyLoaded: Bool
        public let members: [Member]
        public let articles: [ArticleDetail]
        /// The demo admin's name, for scripts that issue it a token.
        public let adminName: String
    }

    static let marker = "demo.loaded"

    public func load(by caller: Caller) async throws -> Result {
        try caller.principal.require(.manageActors)
        try caller.principal.require(.manageTokens)
        if try await isLoaded() {
            return Result(alreadyLoaded: true, members: [], articles: [], adminName: DemoContent.adminName)
        }
        let names = DemoContent.people.map(\.name)
        let existing = try await env.read { conn in try ActorStore.list(conn).map(\.name).filter(names.contains) }
        if !existing.isEmpty {
            throw GalleyError.conflict(
                "Actors named like the demo's already exist (\(existing.joined(separator: ", "))) but the demo was never loaded; load it into an empty database."
            )
        }
        let services = GalleyServices(environment: env)
        var members: [String: Member] = [:]
        for person in DemoContent.people {
            let actor = try await services.actors.add(
                .init(name: person.name, displayName: person.displayName, kind: person.kind, roles: person.roles), by: caller)
            // People's tokens expire (90 days); only a service's may last for ever.
            let lifetime: TokenLifetime = person.kind == .service ? .never : .standard
            let token = try await services.actors.issueToken(for: .id(actor.id), label: "demo", lifetime: lifetime, by: caller)
            var password: String?
            if person.kind == .person {
                // 16 base64url characters: 96 random bits, readable enough to type.
                let chosen = Secrets.random(byteCount: 12)
                try await services.actors.setPassword(for: .id(actor.id), to: chosen, by: caller)
                password = chosen
            }
            members[person.name] = Member(actor: actor, token: token.token, password: password)
        }
        func act(_ name: String) -> Caller { Caller(principal: members[name]!.actor.principal, requestID: caller.requestID) }
        let articles = try await Newsroom(
            services: services, writer: act("wren"), editor: act("eli"), checker: act("fay"),
            ai: act("drafter"), publisher: act("press")
        ).stories()
        try await env.transaction { [now = env.now()] conn in
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.systemChain, principal: caller.principal, action: Self.marker,
                    details: [
                        "actors": .array(names.map { .string($0) }),
                        "articles": .array(articles.map { .string($0.article.id.uuidString.lowercased()) }),
                    ],
                    requestID: caller.requestID, at: now))
        }
        return Result(
            alreadyLoaded: false, members: DemoContent.people.compactMap { members[$0.name] }, articles: articles,
            adminName: DemoContent.adminName)
    }

    func isLoaded() async throws -> Bool {
        try await env.read { conn in
            try AuditStore.hasEvent(conn, chain: AuditEntry.systemChain, action: Self.marker)
        }
    }

    /// The demo's people at work.
    private struct Newsroom {
        let services: GalleyServices
        let writer, editor, checker, ai, publisher: Caller

        func stories() async throws -> [ArticleDetail] {
            let draft = try await write(DemoContent.draft)

            let inReview = try await write(DemoContent.inReview)
            _ = try await act(.submit, inReview, by: writer)

            let approved = try await write(DemoContent.approved)
            _ = try await act(.submit, approved, by: writer)
            try await passSourceCheck(approved)
            _ = try await act(.approve, approved, by: editor)

            let published = try await write(DemoContent.published)
            _ = try await act(.submit, published, by: writer)
            try await passSourceCheck(published)
            _ = try await act(.approve, published, by: editor)
            _ = try await act(.publish, published, by: publisher)

            let aiDraft = try await generate(DemoContent.aiDraft)
            for claim in DemoContent.aiClaims {
                let added = try await services.review.addClaim(text: claim.text, revision: 1, on: aiDraft, by: checker)
                if claim.verified {
                    _ = try await services.review.updateClaim(
                        added.id, on: aiDraft, status: .verified,
                        evidence: [Evidence(url: DemoContent.aiDraft.source.url, note: "Vote tally in the press release")], by: checker)
                }
            }
            _ = try await act(.submit, aiDraft, by: ai)
            try await passSourceCheck(aiDraft)

            var details: [ArticleDetail] = []
            for id in [draft, inReview, approved, published, aiDraft] { details.append(try await services.articles.get(id, by: editor)) }
            return details
        }

        private func write(_ story: DemoContent.Story) async throws -> UUID {
            try await services.articles.create(.init(content: try story.content(), section: story.section, tags: story.tags), by: writer)
                .article.id
        }

        private func generate(_ story: DemoContent.Story) async throws -> UUID {
            let content = try story.content()
            let draft = ImportService.Draft(
                line: 1, section: story.section, tags: story.tags, content: content, model: DemoContent.model.name,
                modelVersion: DemoContent.model.version, promptVersion: DemoContent.model.prompt,
                parameters: ["temperature": .number(0.3)], sources: content.sources, inputTokens: 1_840, outputTokens: 410)
            let results = try await services.imports.importDrafts([draft], atomic: true, by: ai)
            guard let id = results.first?.articleID else { throw results.first?.error ?? GalleyError.conflict("the demo draft was not imported") }
            return id
        }

        private func act(_ action: ArticleAction, _ id: UUID, by caller: Caller) async throws -> ArticleDetail {
            try await services.transitions.perform(.init(action), on: id, by: caller)
        }

        private func passSourceCheck(_ id: UUID) async throws {
            let (revision, _) = try await services.review.checkpoints(id, by: checker)
            _ = try await services.review.record(
                .init(
                    checkpoint: "source_check", verdict: .passed, revision: revision, note: "Source read and matches the text.",
                    evidence: [Evidence(url: "https://example.org/demo/source-check")]),
                on: id, by: checker)
        }
    }
}

extension GalleyServices {
    public var demo: DemoLoader { DemoLoader(env: environment) }
}
