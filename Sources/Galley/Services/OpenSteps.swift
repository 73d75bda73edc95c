import Foundation
import GalleyCore
import Postgres

/// The open steps of every article in review or approved, decided again on what is stored:
/// after the policy changes which checkpoints articles need, and once when the queue is
/// created over articles already waiting. The changes an author was asked for stay asked.
enum OpenSteps {
    static func refreshAll(_ conn: PostgresConnection, at now: Date) throws {
        let waiting = try conn.read(ArticleDetailStore.waitingFacts())
        for chunk in stride(from: 0, to: waiting.count, by: 500).map({ waiting[$0..<min($0 + 500, waiting.count)] }) {
            _ = try conn.pipeline(
                chunk.map { facts in
                    let detail = facts.detail
                    let steps = WorkQueue.openSteps(
                        state: detail.article.state, origin: detail.article.origin, checkpoints: detail.checkpoints,
                        author: detail.current.author)
                    return ArticleStore.alongside(
                        detail.article.id, QueueStore.settingSteps(steps, keeping: [WorkQueue.changes], from: "a", at: now)
                    ).sql
                })
        }
    }
}

extension QueueService {
    /// Decides the open steps of every waiting article again (`galley migrate`, once, when it
    /// creates the queue over articles already waiting).
    public func rebuild() async throws {
        let now = env.now()
        try await env.transaction { conn in try OpenSteps.refreshAll(conn, at: now) }
    }
}
