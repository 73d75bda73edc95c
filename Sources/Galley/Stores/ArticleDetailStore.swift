import Foundation
import GalleyCore
import Postgres

/// An article's detail — its row, current and live revisions, the policy and the review of
/// its current revision — as one statement returning one row. One statement is one
/// snapshot, and one executor start instead of six: the detail is read by every article
/// view and after every change.
enum ArticleDetailStore {
    static func detail(_ id: UUID) -> StoreRead<ArticleDetail> {
        stampedDetail(id).map { $0.detail }
    }

    /// The detail with the stamp it was read under, for the detail cache. The revisions in
    /// `known` are not read again (revisions never change).
    static func stampedDetail(_ id: UUID, known: KnownRevisions = KnownRevisions()) -> StoreRead<StampedDetail> {
        StoreRead(sql: "\(select(known)) WHERE a.id = \(id)") { rows in
            guard let row = rows.single else { throw GalleyError.notFound(kind: "article", id: id.uuidString.lowercased()) }
            return try facts(row, known: known).stamped
        }
    }

    /// What a held detail is checked against — the article's version (nil when there is no
    /// such article) and the policy's — and, with `token`, whether that token is live and its
    /// actor's, in one statement: a few index probes, far cheaper than the detail.
    static func stamp(
        _ id: UUID, confirming token: RememberedToken?, at now: Date
    ) -> StoreRead<(live: Bool, stamp: DetailStamp?)> {
        StoreRead(
            sql: """
                SELECT \(liveness(token, at: now)) AS live, (SELECT version FROM articles WHERE id = \(id)) AS article_version,
                       \(PolicyStore.newestVersion) AS policy_version
                """
        ) { rows in
            guard let row = rows.single else { throw PostgresError(kind: .decoding, message: "a stamp read returned no row") }
            let stamp = try row.decode("article_version", as: Int?.self).map {
                DetailStamp(articleVersion: $0, policyVersion: try row.decode("policy_version"))
            }
            return (try row.decode("live"), stamp)
        }
    }

    /// A condition that holds while a detail read under `stamp` is still the article's (its
    /// version is checked by the write itself) and, with `token`, while that token is live.
    static func stillStamped(_ stamp: DetailStamp, confirming token: RememberedToken?, at now: Date) -> SQL {
        "\(PolicyStore.newestVersion) = \(stamp.policyVersion) AND \(liveness(token, at: now))"
    }

    private static func liveness(_ token: RememberedToken?, at now: Date) -> SQL {
        token.map { ActorStore.isLiveCondition($0, at: now) } ?? "TRUE"
    }

    /// The two revisions' columns, built once (the detail is read by most requests).
    private static let currentRevisionColumns = RevisionStore.prefixed("cur", as: "current_")
    private static let liveRevisionColumns = RevisionStore.prefixed("live", as: "live_")

    /// Verdicts come as aligned arrays; the live revision only when it is not the current
    /// one, and neither revision when it is one of the `known` (`OFFSET 0` keeps each
    /// revision's subquery from being flattened into a join that read revisions it need not).
    /// Claims are not read: they gate approval, not the checkpoint summary.
    private static func select(_ known: KnownRevisions) -> SQL {
        """
        SELECT a.id, a.slug, a.section, a.tags, a.origin, a.state, a.current_revision, a.live_revision, a.publish_at,
               e.name AS responsible_editor, a.version, a.created_at, a.updated_at,
               \(currentRevisionColumns), \(liveRevisionColumns),
               p.rules AS policy_rules, p.version AS policy_version,
               vd.checkpoints AS verdict_checkpoints, vd.verdicts AS verdict_verdicts, vd.hashes AS verdict_hashes,
               vd.actors AS verdict_actors, vd.times AS verdict_times, asg.*
        FROM articles a LEFT JOIN actors e ON e.id = a.responsible_editor_id
        LEFT JOIN LATERAL (
            \(RevisionStore.select) WHERE r.article_id = a.id AND r.number = a.current_revision
                AND r.number IS DISTINCT FROM \(known.current?.number) AND r.number IS DISTINCT FROM \(known.live?.number)
            OFFSET 0
        ) cur ON true
        LEFT JOIN LATERAL (
            \(RevisionStore.select) WHERE r.article_id = a.id AND r.number = a.live_revision AND r.number <> a.current_revision
                AND r.number IS DISTINCT FROM \(known.current?.number) AND r.number IS DISTINCT FROM \(known.live?.number)
            OFFSET 0
        ) live ON true
        CROSS JOIN LATERAL (SELECT version, rules FROM workflow_policies ORDER BY version DESC LIMIT 1) p
        CROSS JOIN LATERAL (
            SELECT COALESCE(array_agg(lv.checkpoint), '{}') AS checkpoints, COALESCE(array_agg(lv.verdict), '{}') AS verdicts,
                   COALESCE(array_agg(lv.content_hash), '{}') AS hashes, COALESCE(array_agg(lv.actor_name), '{}') AS actors,
                   COALESCE(array_agg(lv.created_at::text), '{}') AS times
            FROM (\(ReviewStore.latestVerdictsQuery(articleID: "a.id", revision: "a.current_revision"))) lv
        ) vd
        CROSS JOIN LATERAL (\(AssignmentStore.detailColumns)) asg
        """
    }

    /// The details of every article in review or approved, or with an open assignment: those
    /// whose open steps and assignments a policy decides (`OpenSteps.refreshAll`).
    static func waitingFacts() -> StoreRead<[DetailFacts]> {
        let open: SQL = "SELECT x.article_id FROM assignments x WHERE x.ended_at IS NULL"
        return StoreRead(sql: "\(select(KnownRevisions())) WHERE a.state IN ('in_review', 'approved') OR a.id IN (\(open)) ORDER BY a.id") { rows in
            try rows.map { try facts($0, known: KnownRevisions()) }
        }
    }

    /// The detail with the policy and verdicts it was computed from, its article row locked
    /// (`FOR NO KEY UPDATE`) until the transaction ends: what a transition decides on.
    static func lockedFacts(_ id: UUID, known: KnownRevisions = KnownRevisions()) -> StoreRead<DetailFacts> {
        StoreRead(sql: "\(select(known)) WHERE a.id = \(id) FOR NO KEY UPDATE OF a") { rows in
            guard let row = rows.single else { throw GalleyError.notFound(kind: "article", id: id.uuidString.lowercased()) }
            return try facts(row, known: known)
        }
    }

    /// The article's row, locked as `lockedFacts` locks it, with the stamp a cached detail
    /// must carry to be what `lockedFacts` would read now: a few index probes instead of the
    /// detail's revisions, policy and verdicts.
    static func lockedStamp(_ id: UUID) -> StoreRead<(article: Article, stamp: DetailStamp)> {
        StoreRead(
            sql: """
                \(ArticleStore.columns), \(PolicyStore.newestVersion) AS policy_version
                FROM articles a LEFT JOIN actors e ON e.id = a.responsible_editor_id
                WHERE a.id = \(id) FOR NO KEY UPDATE OF a
                """
        ) { rows in
            guard let row = rows.single else { throw GalleyError.notFound(kind: "article", id: id.uuidString.lowercased()) }
            let article = try ArticleStore.article(row)
            return (article, DetailStamp(articleVersion: article.version, policyVersion: try row.decode("policy_version")))
        }
    }

    private static func facts(_ row: PostgresRow, known: KnownRevisions) throws -> DetailFacts {
        let article = try ArticleStore.article(row)
        // A revision's columns are null when the statement left it to `known`.
        func revision(_ number: Int, prefix: String) throws -> Revision {
            if try row.decode(prefix + "number", as: Int?.self) != nil { return try RevisionStore.revision(row, prefix: prefix) }
            if let known = [known.current, known.live].lazy.compactMap({ $0 }).first(where: { $0.number == number }) { return known }
            throw PostgresError(kind: .decoding, message: "article \(article.id) has no revision \(number)")
        }
        let current = try revision(article.currentRevision, prefix: "current_")
        let live: Revision? =
            switch article.liveRevision {
            case nil: nil
            case current.number: current
            case let number?: try revision(number, prefix: "live_")
            }
        let policy = try PolicyStore.policy(rules: try row.decode("policy_rules"))
        let verdicts = try verdicts(row)
        let checkpoints = ReviewFacts.statuses(article: article, revision: current, policy: policy, verdicts: verdicts)
        return DetailFacts(
            detail: ArticleDetail(
                article: article, current: current, live: live, checkpoints: checkpoints,
                assignments: try AssignmentStore.detailAssignments(row, articleID: article.id)), policy: policy,
            policyVersion: try row.decode("policy_version"), verdicts: verdicts)
    }

    private static func verdicts(_ row: PostgresRow) throws -> [RecordedVerdict] {
        let checkpoints = try row.decode("verdict_checkpoints", as: [String].self)
        let verdicts = try row.decode("verdict_verdicts", as: [String].self)
        let hashes = try row.decode("verdict_hashes", as: [String].self)
        let actors = try row.decode("verdict_actors", as: [String].self)
        let times = try row.decode("verdict_times", as: [String].self)
        guard [verdicts.count, hashes.count, actors.count, times.count].allSatisfy({ $0 == checkpoints.count }) else {
            throw PostgresError(kind: .decoding, message: "an article's verdict columns differ in length")
        }
        return try checkpoints.indices.map { index in
            guard let verdict = Verdict(rawValue: verdicts[index]), let time = PostgresTimestamp.parse(times[index]) else {
                throw PostgresError(kind: .decoding, message: "unreadable verdict \"\(verdicts[index])\" at \"\(times[index])\"")
            }
            return RecordedVerdict(
                checkpoint: checkpoints[index], verdict: verdict, contentHash: hashes[index], actorName: actors[index], recordedAt: time)
        }
    }
}

/// Revisions of an article the caller holds already, which a detail read need not read
/// again: revisions never change, so any detail of the article read before will do.
struct KnownRevisions: Sendable {
    var current: Revision?
    var live: Revision?

    init(_ detail: ArticleDetail? = nil) {
        current = detail?.current
        live = detail?.live
    }
}

/// An article's detail and the policy and latest verdicts its checkpoints were computed from.
struct DetailFacts {
    let detail: ArticleDetail
    let policy: WorkflowPolicy
    let policyVersion: Int
    let verdicts: [RecordedVerdict]

    /// The detail with what it depends on, for the detail cache.
    var stamped: StampedDetail {
        StampedDetail(detail: detail, stamp: DetailStamp(articleVersion: detail.article.version, policyVersion: policyVersion))
    }
}

extension StampedDetail {
    /// The detail as it is after a transition wrote `article`, stamped for the detail cache:
    /// a transition changes neither the revisions nor, with the article locked from the read
    /// to the write, its verdicts; at most which revision is live, and which assignments stay
    /// open (those it does not end, `ended`). Nil if the live revision
    /// is one this detail does not hold.
    func after(_ article: Article, ending ended: (steps: [String]?, reason: AssignmentEnd)? = nil) -> StampedDetail? {
        let current = detail.current
        let live: Revision?
        switch article.liveRevision {
        case nil: live = nil
        case current.number: live = current
        case detail.live?.number: live = detail.live
        default: return nil
        }
        guard article.currentRevision == current.number else { return nil }
        return StampedDetail(
            detail: ArticleDetail(
                article: article, current: current, live: live, checkpoints: detail.checkpoints,
                assignments: detail.assignments.filter { assignment in ended.map { !($0.steps?.contains(assignment.step) ?? true) } ?? true }),
            stamp: DetailStamp(articleVersion: article.version, policyVersion: stamp.policyVersion))
    }
}
