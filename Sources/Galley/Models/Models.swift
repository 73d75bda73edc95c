import Foundation
import GalleyCore

public struct Actor: Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let displayName: String
    public let kind: ActorKind
    public let roles: [Role]
    public let createdAt: Date
    /// An inactive actor's tokens authenticate nothing; their history still names them.
    public let active: Bool
    /// Their desk: the sections whose articles they may change. Empty means every section.
    public let sections: [String]
    /// Moves with every change to the actor, so a remembered copy can be told from the current one.
    public let version: Int

    public var principal: Principal {
        Principal(actorID: id, name: name, kind: kind, roles: Set(roles), sections: Set(sections))
    }
}

public struct TokenRecord: Sendable, Equatable {
    public let id: UUID
    public let actorID: UUID
    public let label: String
    public let createdAt: Date
    public let expiresAt: Date?
    /// Kept to the minute (`TokenUse`).
    public let lastUsedAt: Date?
    public let revokedAt: Date?

    public enum State: Sendable, Equatable {
        case live, expired
        case revoked(at: Date)
    }

    /// Where the token stands at `now`: a revoked token stays revoked, an unrevoked one
    /// expires at `expiresAt` (the condition `ActorStore.liveToken` holds in SQL).
    public func state(at now: Date) -> State {
        if let revokedAt { return .revoked(at: revokedAt) }
        if let expiresAt, expiresAt <= now { return .expired }
        return .live
    }
}

/// A token as issued: the secret is in `token`, shown to its owner once.
public struct IssuedToken: Sendable {
    public let id: UUID
    public let token: String
    public let label: String
    public let expiresAt: Date?
}

public struct Article: Sendable, Equatable {
    public let id: UUID
    public let slug: String
    public let section: String
    public let tags: [String]
    public let origin: Origin
    public let state: ArticleState
    public let currentRevision: Int
    public let liveRevision: Int?
    public let publishAt: Date?
    public let responsibleEditor: String?
    public let version: Int
    public let createdAt: Date
    public let updatedAt: Date
}

public struct Revision: Sendable, Equatable {
    public let articleID: UUID
    public let number: Int
    public let content: ArticleContent
    public let authorID: UUID
    public let author: String
    public let generationID: UUID?
    public let digitalSourceType: DigitalSourceType?
    public let createdAt: Date
}

/// An article with what readers and reviewers need to see of it.
public struct ArticleDetail: Sendable {
    public let article: Article
    public let current: Revision
    public let live: Revision?
    public let checkpoints: [CheckpointStatus]
    /// Its open assignments, in the order they were made.
    public let assignments: [Assignment]
}

public struct Evidence: Codable, Sendable, Equatable {
    public var url: String
    public var note: String?
    public init(url: String, note: String? = nil) {
        self.url = url
        self.note = note
    }
}

public struct Verification: Sendable, Equatable {
    public let id: UUID
    public let articleID: UUID
    public let revision: Int
    public let checkpoint: String
    public let verdict: Verdict
    public let contentHash: String
    public let actor: String
    public let note: String
    public let evidence: [Evidence]
    public let createdAt: Date
}

public struct Claim: Sendable, Equatable {
    public let id: UUID
    public let articleID: UUID
    public let revision: Int
    public let text: String
    public let status: ClaimStatus
    public let evidence: [Evidence]
    public let createdAt: Date
    public let updatedAt: Date
}

public struct Correction: Sendable, Equatable {
    public let number: Int
    public let revision: Int
    public let kind: String
    public let note: String
    public let createdAt: Date
}

public struct Generation: Sendable, Equatable {
    public struct Brief: Codable, Sendable, Equatable {
        public var section: String
        public var tags: [String]
        public var title: String?
        public init(section: String, tags: [String] = [], title: String? = nil) {
            self.section = section
            self.tags = tags
            self.title = title
        }
    }

    public let id: UUID
    public let articleID: UUID?
    public let brief: Brief?
    public let model: String
    public let modelVersion: String
    public let promptVersion: String
    public let parameters: JSONValue
    public let sources: [Source]
    public let status: GenerationStatus
    public let attempt: Int
    public let maxAttempts: Int
    public let inputTokens: Int?
    public let outputTokens: Int?
    public let error: String?
    public let revision: Int?
    public let createdAt: Date
    public let startedAt: Date?
    public let finishedAt: Date?
    public let updatedAt: Date
}

public struct AuditEvent: Sendable, Equatable {
    public let id: Int
    public let chain: String
    public let seq: Int
    /// The acting actor's id; nil for the operator and the scheduler.
    public let actorID: UUID?
    public let actor: String
    public let action: String
    public let articleID: UUID?
    public let revision: Int?
    public let fromState: String?
    public let toState: String?
    public let reason: String?
    public let details: JSONValue
    /// `details` as PostgreSQL prints its jsonb: the text the event's hash covers.
    public let detailsText: String
    public let requestID: String?
    public let at: Date
    public let prevHash: String
    public let hash: String
}

/// A page of a list and the cursor of the next page, if any.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let nextCursor: String?
}

/// Someone asked to take a step of an article: a checkpoint, or its approval.
public struct Assignment: Sendable, Equatable {
    public let id: UUID
    public let articleID: UUID
    public let step: String
    public let assigneeID: UUID
    public let assignee: String
    public let dueAt: Date?
    public let assignedBy: String
    public let createdAt: Date
}
