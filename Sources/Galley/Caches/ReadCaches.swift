import Foundation

/// What is kept between requests so that the most frequent reads skip the database's
/// heaviest statements: immutable revisions, and article details checked against the
/// article's version before every use (both used through `ArticleReads`), and the actors of
/// tokens met (`ActorService.caller(bearing:requestID:)`). Sized by `GALLEY_READ_CACHE_MB`
/// (0 turns it off).
public final class ReadCaches: Sendable {
    /// Details by article id, each with the stamp it was read under.
    let details: BoundedCache<UUID, StampedDetail>
    /// Revisions by article id and number.
    let revisions: BoundedCache<RevisionKey, Revision>
    /// The actors of tokens met, by the token's hash: who a remembered token names before
    /// the database confirms it (`Credential`). Never trusted alone.
    let tokens: BoundedCache<Data, Actor>

    /// The default, enough for the details of several thousand typical articles.
    public static let defaultMegabytes = 32

    /// Seven eighths of the budget for details (every article view), three thirty-seconds
    /// for revisions (list pages: 3 MB of the default holds ~750, fifteen pages of 50), one
    /// for tokens (1 MB: ~4,000).
    public init(megabytes: Int = ReadCaches.defaultMegabytes) {
        let bytes = max(megabytes, 0) << 20
        details = BoundedCache(capacity: bytes / 8 * 7)
        revisions = BoundedCache(capacity: bytes / 32 * 3)
        tokens = BoundedCache(capacity: bytes / 32)
    }

    /// Each cache's lookups that found a value and that did not, since the process started.
    public var lookups: [(cache: String, hits: Int, misses: Int)] {
        [("details", details.lookups), ("revisions", revisions.lookups), ("tokens", tokens.lookups)].map { ($0.0, $0.1.hits, $0.1.misses) }
    }

    /// Keeps the actor a token (by its hash) was just authenticated as.
    func remember(_ actor: Actor, forTokenHash hash: Data) {
        tokens.store(actor, for: hash, cost: 256)  // roughly what an actor costs
    }
}

struct RevisionKey: Hashable, Sendable {
    let articleID: UUID
    let number: Int
}

/// What an article's detail depends on besides immutable revisions: the article's row
/// (its version changes with every change, verdicts and claims included) and the workflow
/// policy (a new version for every change).
struct DetailStamp: Equatable, Sendable {
    let articleVersion: Int
    let policyVersion: Int
}

struct StampedDetail: Sendable {
    let detail: ArticleDetail
    let stamp: DetailStamp

    /// Roughly the bytes the detail holds: its text, and a little for everything else.
    var cost: Int {
        detail.current.approximateBytes + (detail.live.map { $0.number == detail.current.number ? 0 : $0.approximateBytes } ?? 0) + 512
    }
}

extension Revision {
    var approximateBytes: Int {
        let content = content
        let text =
            content.title.utf8.count + content.dek.utf8.count + content.body.utf8.count
            + (content.insight?.utf8.count ?? 0) + (content.disclosure?.utf8.count ?? 0) + author.utf8.count
        return content.sources.reduce(text + 256) { $0 + $1.url.utf8.count + $1.outlet.utf8.count + $1.title.utf8.count + 64 }
    }
}
