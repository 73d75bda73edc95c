import Foundation
import GalleyCore
import Postgres

/// Creating, editing, reading and listing articles.
public struct ArticleService: Sendable {
    let env: GalleyEnvironment

    public struct NewArticle: Sendable {
        public var content: ArticleContent
        public var section: String
        public var tags: [String]
        public var slug: String?

        public init(content: ArticleContent, section: String, tags: [String] = [], slug: String? = nil) {
            self.content = content
            self.section = section
            self.tags = tags
            self.slug = slug
        }
    }

    /// Creates a human-written draft with its first revision.
    public func create(_ new: NewArticle, by caller: Caller) async throws -> ArticleDetail {
        try caller.principal.require(.createArticle)
        guard let actorID = caller.principal.actorID else {
            throw GalleyError.forbidden(permission: Permission.createArticle.rawValue, reason: "the operator writes no articles")
        }
        let (section, tags) = try Self.validated(section: new.section, tags: new.tags, slug: new.slug)
        try caller.principal.requireDesk(section, for: .createArticle)
        let id = env.newID()
        let now = env.now()
        @Sendable func insert(slug: String) async throws -> StampedDetail {
            try await env.transaction { conn in
                let detail = ArticleDetailStore.stampedDetail(id)
                let results = try Self.insertArticle(
                    conn, id: id, slug: slug, section: section, tags: tags, origin: .human, content: new.content,
                    authorID: actorID, generationID: nil, digitalSourceType: nil, caller: caller, at: now,
                    thenReading: [detail.sql], committing: true)
                return try detail.decode(results[results.startIndex])
            }
        }
        // The title's slug is tried first, in the one round trip that writes (titles are
        // rarely repeated); only when it is taken is the article written again with the id's
        // piece added, as `freeSlug` would have chosen.
        let created: StampedDetail
        if let slug = new.slug {
            created = try await insert(slug: slug)
        } else {
            let base = Self.slugBase(new.content.title)
            do {
                created = try await insert(slug: base)
            } catch let error as GalleyError where error == Self.takenSlugConflict(base) {
                created = try await insert(slug: Self.takenSlug(base, id: id))
            }
        }
        env.articleReads.keep(created, for: id)
        return created.detail
    }

    /// Shared by human creation and AI generations: the article row, revision 1, the event,
    /// in one round trip, followed in it by `reads` (whose results it returns) and, when
    /// `committing`, by the transaction's `COMMIT`.
    @discardableResult
    static func insertArticle(
        _ conn: PostgresConnection, id: UUID, slug: String, section: String, tags: [String], origin: Origin,
        content: ArticleContent, authorID: UUID, generationID: UUID?, digitalSourceType: DigitalSourceType?,
        caller: Caller, at now: Date, thenReading reads: [SQL] = [], committing: Bool = false
    ) throws -> ArraySlice<PostgresRows> {
        let event = createdEvent(id: id, slug: slug, section: section, origin: origin, content: content, caller: caller, at: now)
        let writes =
            [ArticleStore.inserting(id: id, slug: slug, section: section, tags: tags, origin: origin, content: content, at: now)]
            + RevisionStore.inserting(
                articleID: id, number: 1, content: content, authorID: authorID, generationID: generationID,
                digitalSourceType: digitalSourceType, at: now)
            + [AuditStore.insert(event)]
        return try ArticleStore.refusingTakenSlug(slug, orThrowing: takenSlugConflict(slug)) {
            try (committing ? conn.pipelineCommitting(writes + reads) : conn.pipeline(writes + reads)).dropFirst(writes.count)
        }
    }

    static func takenSlugConflict(_ slug: String) -> GalleyError {
        .conflict("An article with slug \(slug) already exists; choose another slug.")
    }

    /// The event of an article's creation with revision 1; also written by batch imports.
    static func createdEvent(
        id: UUID, slug: String, section: String, origin: Origin, content: ArticleContent, caller: Caller, at now: Date
    ) -> AuditEntry {
        AuditEntry(
            chain: AuditEntry.chain(article: id), principal: caller.principal, action: "article.created", articleID: id,
            revision: 1, fromState: nil, toState: ArticleState.draft.rawValue,
            details: [
                "slug": .string(slug), "section": .string(section), "origin": .string(origin.rawValue),
                "content_hash": .string(content.contentHash),
            ],
            requestID: caller.requestID, at: now)
    }

    /// A new revision: the article returns to draft; verdicts and approvals of earlier text
    /// stay in history but no longer count; the live revision stays live.
    public func edit(_ id: UUID, content: ArticleContent, expectedVersion: ExpectedVersion? = nil, by caller: Caller) async throws -> ArticleDetail {
        let now = env.now()
        return try await env.transaction { conn in
            let article = try ArticleStore.fetch(conn, id: id)
            let edited = try Self.appendRevision(
                conn, article: article, content: content, generationID: nil, expectedVersion: expectedVersion, caller: caller, at: now)
            return try ArticleDetail.load(conn, id: edited.id)
        }
    }

    /// Returns the article as changed.
    @discardableResult
    static func appendRevision(
        _ conn: PostgresConnection, article: Article, content: ArticleContent, generationID: UUID?, expectedVersion: ExpectedVersion?,
        caller: Caller, at now: Date
    ) throws -> Article {
        try expectedVersion?.check(article.version)
        try caller.principal.require(.editArticle, articleOrigin: article.origin)
        try caller.principal.requireDesk(article.section, for: .editArticle)
        guard let actorID = caller.principal.actorID else {
            throw GalleyError.forbidden(permission: Permission.editArticle.rawValue, reason: "the operator writes no articles")
        }
        let newState = try Workflow.transition(from: article.state, action: .edit, facts: TransitionFacts(now: now))
        let previous = try RevisionStore.fetch(conn, articleID: article.id, number: article.currentRevision)
        if previous.content.contentHash == content.contentHash {
            throw GalleyError.validation([
                .init(field: "body", message: "is identical to revision \(previous.number); change something to make a new revision")
            ])
        }
        let number = article.currentRevision + 1
        let sourceType = digitalSourceType(author: caller.principal, article: article, previous: previous)
        let change = ArticleStore.Change(
            state: newState, currentRevision: number, liveRevision: article.liveRevision, publishAt: nil,
            responsibleEditorID: nil, keepResponsibleEditor: true, search: content)
        let event = AuditEntry(
            chain: AuditEntry.chain(article: article.id), principal: caller.principal, action: "article.edited",
            articleID: article.id, revision: number, fromState: article.state.rawValue, toState: newState.rawValue,
            details: ["content_hash": .string(content.contentHash), "previous_revision": .number(Double(previous.number))],
            requestID: caller.requestID, at: now)
        // The revision, its sources, the article's change and its event in one round trip.
        let revision = RevisionStore.inserting(
            articleID: article.id, number: number, content: content, authorID: actorID, generationID: generationID,
            digitalSourceType: sourceType, at: now)
        // A new revision closes its article's review steps; the changes its author was asked for stay asked.
        let steps = QueueStore.settingSteps([], keeping: [WorkQueue.changes], from: "a", at: now)
        return try ArticleStore.write(
            PlannedChange(article: article, change: change, event: event, records: revision, alongside: steps), conn: conn, committing: false)
    }

    /// IPTC source type of a new revision: untouched output of an AI agent is
    /// `trainedAlgorithmicMedia`; a person's edit of AI text is `composite…`; purely human
    /// writing has none.
    static func digitalSourceType(author: Principal, article: Article, previous: Revision?) -> DigitalSourceType? {
        if author.roles.contains(.aiAgent) && author.kind == .service { return .trainedAlgorithmicMedia }
        if article.origin == .ai || previous?.digitalSourceType != nil { return .compositeWithTrainedAlgorithmicMedia }
        return nil
    }

    /// The article as stored now (`ArticleReads`, which may answer from memory after one
    /// quick check of its versions).
    public func get(_ id: UUID, by caller: Caller) async throws -> ArticleDetail {
        try await env.articleReads.detail(id, for: caller) { try $0.principal.require(.readArticles) }
    }

    public struct ListQuery: Sendable {
        public var state: ArticleState?
        public var section: String?
        public var origin: Origin?
        public var tag: String?
        public var live: Bool?
        public var updatedSince: Date?
        public var text: String?
        public var limit: Int = 50
        public var cursor: String?
        public init() {}
    }

    /// Articles newest first, each with its current revision.
    public func list(_ query: ListQuery, by caller: Caller) async throws -> Page<(Article, Revision)> {
        let (filter, after, limit) = try listFilter(query, by: caller)
        let articles = try await env.replicaQuery(ArticleStore.list(filter, after: after, limit: limit + 1), for: caller)
        let page = Array(articles.prefix(limit))
        let revisions = try await env.articleReads.currentRevisions(of: page)
        let next = articles.count > limit ? page.last.map { ListCursor.encode($0.updatedAt, $0.id) } : nil
        return Page(items: page.compactMap { article in revisions[article.id].map { (article, $0) } }, nextCursor: next)
    }

    /// Articles newest first, read for `fields` only: the whole current revision only when
    /// `fields` has `current_revision` (as `list(_:by:)` reads it); else only the columns of
    /// `fields`, in one statement.
    public func list(_ query: ListQuery, fields: Set<ArticleField>, by caller: Caller) async throws -> Page<ListedArticle> {
        if fields.contains(.current_revision) {
            let page = try await list(query, by: caller)
            return Page(items: page.items.map { ListedArticle($0.0, current: $0.1) }, nextCursor: page.nextCursor)
        }
        let (filter, after, limit) = try listFilter(query, by: caller)
        let listed = try await env.replicaQuery(ArticleStore.listing(fields, filter, after: after, limit: limit + 1), for: caller)
        let page = Array(listed.prefix(limit))
        let next = listed.count > limit ? page.last.map { ListCursor.encode($0.updatedAt, $0.id) } : nil
        return Page(items: page, nextCursor: next)
    }

    /// What both lists read by: the caller may read articles; the filter, the cursor's place
    /// and the page size (1–200).
    private func listFilter(_ query: ListQuery, by caller: Caller) throws -> (ArticleStore.ListFilter, (Date, UUID)?, Int) {
        try caller.principal.require(.readArticles)
        let filter = ArticleStore.ListFilter(
            state: query.state, section: query.section, origin: query.origin, tag: query.tag, live: query.live,
            updatedSince: query.updatedSince, query: query.text?.isEmpty == false ? query.text : nil)
        return (filter, try query.cursor.map(ListCursor.decode), min(max(query.limit, 1), 200))
    }

    public func revisions(_ id: UUID, by caller: Caller) async throws -> [Revision] {
        try caller.principal.require(.readArticles)
        return try await env.read { conn in
            _ = try ArticleStore.fetch(conn, id: id)
            return try RevisionStore.list(conn, articleID: id)
        }
    }

    public func revision(_ id: UUID, number: Int, by caller: Caller) async throws -> Revision {
        try caller.principal.require(.readArticles)
        return try await env.read { conn in try RevisionStore.fetch(conn, articleID: id, number: number) }
    }

    /// A word diff of revision `number`'s text against revision `against`, bounded in cost
    /// (`WordDiff`): two revisions that differ too much are refused with `tooLargeToDiff`.
    public func diff(_ id: UUID, number: Int, against: Int, by caller: Caller) async throws -> [WordDiff.Segment] {
        try caller.principal.require(.readArticles)
        let (new, old) = try await env.read { conn in
            (try RevisionStore.fetch(conn, articleID: id, number: number), try RevisionStore.fetch(conn, articleID: id, number: against))
        }
        return try WordDiff.segments(from: Self.diffText(old), to: Self.diffText(new))
    }

    private static func diffText(_ revision: Revision) -> String {
        let content = revision.content
        return "# \(content.title)\n\n\(content.dek)\n\n\(content.body)"
            + (content.insight.map { "\n\n\($0)" } ?? "") + (content.disclosure.map { "\n\n\($0)" } ?? "")
    }

    // MARK: Helpers

    static func validated(section: String, tags: [String], slug: String?) throws(GalleyError) -> (String, [String]) {
        var problems = Array(tags.compactMap { Validation.nulProblem("tags", $0) }.prefix(1))
        if !Validation.isSlug(section) {
            problems.append(.init(field: "section", message: "must be a lowercase slug such as politics"))
        }
        let cleanTags = tags.map { $0.trimmingWhiteSpace().lowercased() }
        if cleanTags.contains(where: { $0.isEmpty || $0.count > 60 }) || cleanTags.count > 30 {
            problems.append(.init(field: "tags", message: "must be at most 30 non-empty tags of up to 60 characters"))
        }
        if let slug, !Validation.isSlug(slug) {
            problems.append(.init(field: "slug", message: "must be lowercase letters, digits and hyphens"))
        }
        if !problems.isEmpty { throw .validation(problems) }
        var seen = Set<String>()
        return (section, cleanTags.filter { seen.insert($0).inserted })
    }

    /// A slug from the title, made unique with a piece of the id when taken.
    static func freeSlug(_ conn: PostgresConnection, for title: String, id: UUID) throws -> String {
        let base = slugBase(title)
        if try !ArticleStore.slugExists(conn, base) { return base }
        return takenSlug(base, id: id)
    }

    /// The slug a title asks for.
    static func slugBase(_ title: String) -> String {
        let slug = Validation.slugify(title)
        return slug.isEmpty ? "article" : slug
    }

    /// The slug an article gets when its title's slug is taken.
    static func takenSlug(_ base: String, id: UUID) -> String {
        base + "-" + id.uuidString.lowercased().prefix(8)
    }
}

/// Opaque list cursors: the sort key of the last item seen.
enum ListCursor {
    static func encode(_ date: Date, _ id: UUID) -> String {
        Data("\(RFC3339.format(date))|\(id.uuidString.lowercased())".utf8).base64EncodedString()
    }

    static func decode(_ cursor: String) throws -> (Date, UUID) {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8) else {
            throw GalleyError.validation([.init(field: "cursor", message: "is not a cursor this server issued")])
        }
        let parts = text.split(separator: "|")
        guard parts.count == 2, let date = RFC3339.parse(String(parts[0])), let id = UUIDFormat.parse(parts[1]) else {
            throw GalleyError.validation([.init(field: "cursor", message: "is not a cursor this server issued")])
        }
        return (date, id)
    }
}
