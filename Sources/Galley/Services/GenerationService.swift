import Foundation
import GalleyCore
import Postgres

/// AI runs: registered by the AI system, moved through their lifecycle, and on success
/// turned into a revision authored by the AI agent, with its provenance kept.
public struct GenerationService: Sendable {
    let env: GalleyEnvironment

    public struct NewGeneration: Sendable {
        public var articleID: UUID?
        public var brief: Generation.Brief?
        public var model: String
        public var modelVersion: String
        public var promptVersion: String
        public var parameters: JSONValue
        public var sources: [Source]
        public var maxAttempts: Int

        public init(
            articleID: UUID? = nil, brief: Generation.Brief? = nil, model: String, modelVersion: String, promptVersion: String,
            parameters: JSONValue = [:], sources: [Source] = [], maxAttempts: Int = GenerationLifecycle.defaultMaxAttempts
        ) {
            self.articleID = articleID
            self.brief = brief
            self.model = model
            self.modelVersion = modelVersion
            self.promptVersion = promptVersion
            self.parameters = parameters
            self.sources = sources
            self.maxAttempts = maxAttempts
        }
    }

    public func register(_ new: NewGeneration, by caller: Caller) async throws -> Generation {
        try caller.principal.require(.writeGenerations)
        guard let actorID = caller.principal.actorID else {
            throw GalleyError.forbidden(permission: Permission.writeGenerations.rawValue, reason: "generations need a named actor")
        }
        var problems = [
            Validation.nulProblem("model", new.model), Validation.nulProblem("model_version", new.modelVersion),
            Validation.nulProblem("prompt_version", new.promptVersion), Validation.nulProblem("parameters", new.parameters),
        ].compactMap { $0 }
        if (new.articleID == nil) == (new.brief == nil) {
            problems.append(.init(field: "article_id", message: "give either article_id or brief, not both or neither"))
        }
        if let brief = new.brief {
            do { _ = try ArticleService.validated(section: brief.section, tags: brief.tags, slug: nil) } catch {
                if case .validation(let found) = error { problems += found.map { .init(field: "brief.\($0.field)", message: $0.message) } }
            }
            try caller.principal.requireDesk(brief.section, for: .writeGenerations)
        }
        for (field, value) in [("model", new.model), ("model_version", new.modelVersion), ("prompt_version", new.promptVersion)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 {
            problems.append(.init(field: field, message: "must be 1 to 200 characters"))
        }
        if !(1...10).contains(new.maxAttempts) { problems.append(.init(field: "max_attempts", message: "must be 1 to 10")) }
        if case .object = new.parameters {} else { problems.append(.init(field: "parameters", message: "must be an object")) }
        for (index, source) in new.sources.enumerated() where !WebLink.isValid(source.url) {
            problems.append(.init(field: "sources[\(index)].url", message: WebLink.requirement))
        }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let id = env.newID()
        let now = env.now()
        return try await env.transaction { conn in
            if let articleID = new.articleID {
                let article = try ArticleStore.lockAndTouch(conn, id: articleID, expectedVersion: nil, at: now)
                try caller.principal.requireDesk(article.section, for: .writeGenerations)
            }
            let generation = try GenerationStore.insert(
                conn, id: id, articleID: new.articleID, brief: new.brief, model: new.model, modelVersion: new.modelVersion,
                promptVersion: new.promptVersion, parameters: new.parameters, sources: new.sources, maxAttempts: new.maxAttempts,
                requestedBy: actorID, at: now)
            try AuditStore.append(conn, Self.event(generation, "generation.queued", caller: caller, at: now))
            return generation
        }
    }

    public struct Output: Sendable {
        public var content: ArticleContent
        public init(content: ArticleContent) { self.content = content }
    }

    public struct StatusChange: Sendable {
        public var status: GenerationStatus
        public var output: Output?
        public var error: String?
        public var inputTokens: Int?
        public var outputTokens: Int?

        public init(status: GenerationStatus, output: Output? = nil, error: String? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil) {
            self.status = status
            self.output = output
            self.error = error
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
        }
    }

    /// Moves a generation on. `succeeded` needs output, which becomes a new revision (and a
    /// new AI-origin article when the generation was for a brief); `failed` needs an error.
    public func update(_ id: UUID, _ change: StatusChange, by caller: Caller) async throws -> Generation {
        try caller.principal.require(.writeGenerations)
        var problems = [Validation.nulProblem("error", change.error)].compactMap { $0 }
        if change.status == .succeeded, change.output == nil {
            problems.append(.init(field: "output", message: "is required when the status is succeeded"))
        }
        if change.status != .succeeded, change.output != nil {
            problems.append(.init(field: "output", message: "is accepted only with status succeeded"))
        }
        if change.status == .failed, change.error?.isEmpty ?? true {
            problems.append(.init(field: "error", message: "is required when the status is failed"))
        }
        problems += GenerationLifecycle.tokenUsageProblems(input: change.inputTokens, output: change.outputTokens)
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let now = env.now()
        let newArticleID = env.newID()
        return try await env.transaction { conn in
            let generation = try GenerationStore.fetch(conn, id: id, forUpdate: true)
            try Self.requireDesk(of: generation, conn: conn, caller: caller)
            try GenerationLifecycle.check(
                from: generation.status, to: change.status, attempt: generation.attempt, maxAttempts: generation.maxAttempts)
            var update = GenerationStore.Update(
                status: change.status, attempt: generation.attempt, articleID: nil, revision: nil,
                error: change.status == .failed ? change.error : nil,
                inputTokens: change.inputTokens, outputTokens: change.outputTokens)
            if change.status == .succeeded, let output = change.output {
                let (articleID, revision) = try Self.createRevision(
                    conn, generation: generation, content: output.content, newArticleID: newArticleID, caller: caller, at: now)
                update.articleID = articleID
                update.revision = revision
            }
            let updated = try GenerationStore.update(conn, id: id, update, at: now)
            try AuditStore.append(conn, Self.event(updated, "generation.\(change.status.rawValue)", caller: caller, at: now, from: generation.status))
            return updated
        }
    }

    /// `failed → queued` with the next attempt, while attempts remain.
    public func retry(_ id: UUID, by caller: Caller) async throws -> Generation {
        try caller.principal.require(.writeGenerations)
        let now = env.now()
        return try await env.transaction { conn in
            let generation = try GenerationStore.fetch(conn, id: id, forUpdate: true)
            try Self.requireDesk(of: generation, conn: conn, caller: caller)
            try GenerationLifecycle.check(from: generation.status, to: .queued, attempt: generation.attempt, maxAttempts: generation.maxAttempts)
            let updated = try GenerationStore.update(
                conn, id: id,
                .init(
                    status: .queued, attempt: generation.attempt + 1, articleID: nil, revision: nil, error: nil, inputTokens: nil, outputTokens: nil),
                at: now)
            try AuditStore.append(conn, Self.event(updated, "generation.retried", caller: caller, at: now, from: generation.status))
            return updated
        }
    }

    public func get(_ id: UUID, by caller: Caller) async throws -> Generation {
        try caller.principal.require(.readArticles)
        return try await env.read { conn in try GenerationStore.fetch(conn, id: id) }
    }

    public func list(status: GenerationStatus?, model: String?, limit: Int = 50, cursor: String? = nil, by caller: Caller) async throws -> Page<
        Generation
    > {
        try caller.principal.require(.readArticles)
        let limit = min(max(limit, 1), 200)
        let after = try cursor.map(ListCursor.decode)
        return try await env.read { conn in
            let rows = try GenerationStore.list(conn, status: status, model: model, after: after, limit: limit + 1)
            let page = Array(rows.prefix(limit))
            return Page(items: page, nextCursor: rows.count > limit ? page.last.map { ListCursor.encode($0.createdAt, $0.id) } : nil)
        }
    }

    /// Refuses a change of a generation whose article (or brief) is in a section off the caller's desk.
    private static func requireDesk(of generation: Generation, conn: PostgresConnection, caller: Caller) throws {
        guard !caller.principal.sections.isEmpty else { return }
        let section = try generation.articleID.map { try ArticleStore.fetch(conn, id: $0).section } ?? generation.brief?.section
        if let section { try caller.principal.requireDesk(section, for: .writeGenerations) }
    }

    /// The generation's output as revision 1 of a new AI article, or as the next revision
    /// of its article. Either way authored by the calling AI agent.
    private static func createRevision(
        _ conn: PostgresConnection, generation: Generation, content: ArticleContent, newArticleID: UUID, caller: Caller, at now: Date
    ) throws -> (UUID, Int) {
        guard let actorID = caller.principal.actorID else {
            throw GalleyError.forbidden(permission: Permission.writeGenerations.rawValue, reason: "output needs a named AI agent")
        }
        if let articleID = generation.articleID {
            let article = try ArticleStore.fetch(conn, id: articleID)
            let edited = try ArticleService.appendRevision(
                conn, article: article, content: content, generationID: generation.id, expectedVersion: nil, caller: caller, at: now)
            return (articleID, edited.currentRevision)
        }
        guard let brief = generation.brief else { throw GalleyError.conflict("generation has neither article nor brief") }
        let slug = try ArticleService.freeSlug(conn, for: brief.title ?? content.title, id: newArticleID)
        let (section, tags) = try ArticleService.validated(section: brief.section, tags: brief.tags, slug: nil)
        try ArticleService.insertArticle(
            conn, id: newArticleID, slug: slug, section: section, tags: tags, origin: .ai, content: content, authorID: actorID,
            generationID: generation.id, digitalSourceType: .trainedAlgorithmicMedia, caller: caller, at: now)
        return (newArticleID, 1)
    }

    private static func event(_ generation: Generation, _ action: String, caller: Caller, at now: Date, from: GenerationStatus? = nil) -> AuditEntry {
        let chain = generation.articleID.map { AuditEntry.chain(article: $0) } ?? AuditEntry.chain(generation: generation.id)
        return AuditEntry(
            chain: chain, principal: caller.principal, action: action, articleID: generation.articleID, revision: generation.revision,
            fromState: from?.rawValue, toState: generation.status.rawValue, reason: generation.error,
            details: [
                "generation_id": .string(generation.id.uuidString.lowercased()), "model": .string(generation.model),
                "model_version": .string(generation.modelVersion), "prompt_version": .string(generation.promptVersion),
                "attempt": .number(Double(generation.attempt)),
            ],
            requestID: caller.requestID, at: now)
    }
}
