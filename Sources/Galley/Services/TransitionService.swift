import Foundation
import GalleyCore
import Postgres

/// Every change of an article's state: check permission, gather facts, let `Workflow`
/// decide, write the change and its audit event, all in one transaction.
public struct TransitionService: Sendable {
    let env: GalleyEnvironment

    public struct Request: Sendable {
        public var action: ArticleAction
        public var reason: String?
        public var publishAt: Date?
        public var correctionNote: String?
        public var notice: String?
        public var expectedVersion: ExpectedVersion?

        public init(
            _ action: ArticleAction, reason: String? = nil, publishAt: Date? = nil, correctionNote: String? = nil,
            notice: String? = nil, expectedVersion: ExpectedVersion? = nil
        ) {
            self.action = action
            self.reason = reason
            self.publishAt = publishAt
            self.correctionNote = correctionNote
            self.notice = notice
            self.expectedVersion = expectedVersion
        }
    }

    /// Checks, decides and writes the transition: the facts the action needs are read
    /// (`ArticleReads`, which may answer them from memory and then writes only while they
    /// hold) → `Workflow` decides → the change is written with its audit event.
    public func perform(_ request: Request, on id: UUID, by caller: Caller) async throws -> ArticleDetail {
        try await withOperationSpan("transition.\(request.action.rawValue)") {
            try await env.tallies.counting("transition", request.action.rawValue) { try await write(request, on: id, by: caller) }
        }
    }

    private func write(_ request: Request, on id: UUID, by caller: Caller) async throws -> ArticleDetail {
        try Self.validate(request)
        let now = env.now()
        return try await env.articleReads.change(id, by: caller, at: now, needs: Self.needs(request.action)) { facts, conn in
            try Self.plan(request, on: facts, conn: conn, caller: caller, at: now)
        }
    }

    private static func validate(_ request: Request) throws {
        let nul = [
            Validation.nulProblem("reason", request.reason), Validation.nulProblem("correction_note", request.correctionNote),
            Validation.nulProblem("notice", request.notice),
        ].compactMap { $0 }
        if !nul.isEmpty { throw GalleyError.validation(nul) }
        if request.action == .edit {
            throw GalleyError.validation([.init(field: "action", message: "edit is done by posting a new revision")])
        }
    }

    /// What each action decides on. Approve decides on the review; publish on the approval
    /// and what was published before, and so does schedule, which asks for what publishing
    /// will need; retract writes its notice as a numbered correction, in the transaction.
    private static func needs(_ action: ArticleAction) -> ArticleFacts.Needs {
        switch action {
        case .approve: .review
        case .publish, .schedule: .publication
        case .retract: .lockedArticle
        case .submit, .requestChanges, .unschedule, .spike, .restore, .unpublish, .edit: .article
        }
    }

    /// The transition on an already-read article, inside the caller's transaction; returns
    /// the article as changed. Throws `conflict` when someone else changed the article since
    /// it was read.
    @discardableResult
    static func apply(
        _ request: Request, to article: Article, conn: PostgresConnection, caller: Caller, at now: Date, publishFacts: PublishFacts? = nil
    ) throws -> Article {
        let facts = ArticleFacts(article: article, publication: publishFacts)
        return try ArticleStore.write(plan(request, on: facts, conn: conn, caller: caller, at: now), conn: conn, committing: false)
    }

    /// The change `Workflow` allows on `facts`, with the rows that go with it, or its
    /// refusal. `conn` is the transaction the facts were read in, nil when they were not
    /// (then only an action decided on the article alone can be planned); the facts an
    /// action needs and `facts` lacks are read in it.
    private static func plan(
        _ request: Request, on facts: ArticleFacts, conn: PostgresConnection?, caller: Caller, at now: Date
    ) throws -> PlannedChange {
        let article = facts.article
        try check(request, on: article, by: caller.principal)
        let decision = Decision(request: request, article: article, detail: facts.detail, caller: caller, at: now)
        switch request.action {
        case .approve: return try decision.approve(review: facts.review ?? ReviewFacts.load(locked(conn), currentRevisionOf: article))
        case .publish: return try decision.publish(facts.publication ?? PublishFacts.read(locked(conn), articleID: article.id), conn: locked(conn))
        case .schedule: return try decision.schedule(facts.publication ?? PublishFacts.read(locked(conn), articleID: article.id))
        case .retract: return try decision.retract(conn: locked(conn))
        case .submit, .requestChanges, .unschedule, .spike, .restore, .unpublish, .edit: return try decision.onTheArticleAlone()
        }
    }

    private static func locked(_ conn: PostgresConnection?) throws -> PostgresConnection {
        guard let conn else { throw GalleyError.unavailable("a transition's facts were not read in its transaction") }
        return conn
    }

    /// Refusals that come before any fact is read: a stale If-Match, a missing permission,
    /// an article off the caller's desk.
    private static func check(_ request: Request, on article: Article, by principal: Principal) throws {
        try request.expectedVersion?.check(article.version)
        let permission = Permissions.required(for: request.action)
        try principal.require(permission, articleOrigin: article.origin)
        try principal.requireDesk(article.section, for: permission)
    }
}
