import Foundation
import GalleyCore
import Postgres

/// The domain's use cases, shared by the HTTP API and the CLI.
public struct GalleyServices: Sendable {
    public let environment: GalleyEnvironment

    public init(environment: GalleyEnvironment) {
        self.environment = environment
    }

    public init(pool: PostgresPool) {
        self.init(environment: GalleyEnvironment(pool: pool))
    }

    public var articles: ArticleService { ArticleService(env: environment) }
    public var transitions: TransitionService { TransitionService(env: environment) }
    public var review: ReviewService { ReviewService(env: environment) }
    public var comments: CommentService { CommentService(env: environment) }
    public var assignments: AssignmentService { AssignmentService(env: environment) }
    public var queue: QueueService { QueueService(env: environment) }
    public var generations: GenerationService { GenerationService(env: environment) }
    public var publishing: PublishingService { PublishingService(env: environment) }
    public var audit: AuditService { AuditService(env: environment) }
    public var actors: ActorService { ActorService(env: environment) }
    public var sessions: SessionService { SessionService(env: environment) }
    public var policy: PolicyService { PolicyService(env: environment) }
    public var webhooks: WebhookService { WebhookService(env: environment) }
    public var outbox: WebhookOutbox { WebhookOutbox(env: environment) }
    public var events: EventStreamService { EventStreamService(env: environment) }
}
