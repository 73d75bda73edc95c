import Foundation

/// What an actor may do. Which roles grant which permission is one table, `Permissions.granted`.
public enum Permission: String, Sendable, Codable, CaseIterable {
    case readArticles = "articles.read"
    case createArticle = "articles.create"
    case editArticle = "articles.edit"
    case submitArticle = "articles.submit"
    case requestChanges = "articles.request_changes"
    case approveArticle = "articles.approve"
    case scheduleArticle = "articles.schedule"
    case unscheduleArticle = "articles.unschedule"
    case publishArticle = "articles.publish"
    case unpublishArticle = "articles.unpublish"
    case retractArticle = "articles.retract"
    case spikeArticle = "articles.spike"
    case restoreArticle = "articles.restore"
    case batchPublish = "publish_batches.create"
    case writeClaims = "claims.write"
    case recordVerification = "checkpoints.record"
    /// Asking a named person to take a step of an article (`AssignmentRules`).
    case assignSteps = "assignments.manage"
    case writeGenerations = "generations.write"
    case readAudit = "audit.read"
    case writeComments = "comments.write"
    /// Resolving or reopening anyone's thread; a comment's author may resolve their own without it.
    case resolveComments = "comments.resolve"
    case manageActors = "actors.manage"
    case manageTokens = "tokens.manage"
    case managePolicy = "policy.manage"
    case manageWebhooks = "webhooks.manage"
}

public enum Permissions {
    private static let editorial: Set<Permission> = [
        .readArticles, .createArticle, .editArticle, .submitArticle, .requestChanges, .approveArticle,
        .scheduleArticle, .unscheduleArticle, .publishArticle, .unpublishArticle, .retractArticle,
        .spikeArticle, .restoreArticle, .batchPublish, .writeClaims, .recordVerification,
        .writeGenerations, .readAudit, .assignSteps, .writeComments, .resolveComments,
    ]

    /// The one table of who may do what.
    public static func granted(to role: Role) -> Set<Permission> {
        switch role {
        case .writer: [.readArticles, .createArticle, .editArticle, .submitArticle, .writeComments]
        case .aiAgent: [.readArticles, .writeGenerations, .editArticle, .submitArticle]
        case .factChecker: [.readArticles, .writeClaims, .recordVerification, .writeComments]
        case .legal: [.readArticles, .recordVerification, .readAudit, .writeComments]
        case .editor: editorial
        case .publisher: [.readArticles, .scheduleArticle, .publishArticle, .batchPublish]
        case .admin: editorial.union([.manageActors, .manageTokens, .managePolicy, .manageWebhooks])
        }
    }

    /// The permission an article action needs.
    public static func required(for action: ArticleAction) -> Permission {
        switch action {
        case .edit: .editArticle
        case .submit: .submitArticle
        case .requestChanges: .requestChanges
        case .approve: .approveArticle
        case .schedule: .scheduleArticle
        case .unschedule: .unscheduleArticle
        case .publish: .publishArticle
        case .unpublish: .unpublishArticle
        case .retract: .retractArticle
        case .spike: .spikeArticle
        case .restore: .restoreArticle
        }
    }
}

/// Who is acting: an actor with roles, or the database operator running bootstrap commands.
public struct Principal: Sendable, Equatable {
    public let actorID: UUID?
    public let name: String
    public let kind: ActorKind
    public let roles: Set<Role>
    /// The actor's desk: the sections whose articles they may change. Empty means every section.
    public let sections: Set<String>

    /// True for the database operator running bootstrap commands.
    public let isOperator: Bool

    public init(actorID: UUID?, name: String, kind: ActorKind, roles: Set<Role>, sections: Set<String> = [], isOperator: Bool = false) {
        self.actorID = actorID
        self.name = name
        self.kind = kind
        self.roles = roles
        self.sections = sections
        self.isOperator = isOperator
    }

    /// The operator of the database (bootstrap CLI commands), audited as `operator:<os user>`.
    public static func `operator`(osUser: String) -> Principal {
        Principal(actorID: nil, name: "operator:\(osUser)", kind: .person, roles: [], isOperator: true)
    }

    /// Galley's own scheduler, publishing what editors scheduled, audited as `system:scheduler`.
    public static let scheduler = Principal(actorID: nil, name: "system:scheduler", kind: .service, roles: [.publisher])

    /// The desk's sign-in, audited as `system:sign-in` when it locks a name after failures.
    public static let signIn = Principal(actorID: nil, name: "system:sign-in", kind: .service, roles: [])

    /// Roles including those a role implies: an admin has every editor right.
    public var effectiveRoles: Set<Role> {
        roles.contains(.admin) ? roles.union([.editor]) : roles
    }

    /// What the operator may do: set up actors, tokens and policy, and read; never edit,
    /// verify, approve or publish, which need a named actor.
    static let operatorPermissions: Set<Permission> = [
        .manageActors, .manageTokens, .managePolicy, .manageWebhooks, .readArticles, .readAudit,
    ]

    public func has(_ permission: Permission) -> Bool {
        if isOperator { return Self.operatorPermissions.contains(permission) }
        return roles.contains { Permissions.granted(to: $0).contains(permission) }
    }

    /// Throws `forbidden` naming the permission when no role grants it. An actor whose only
    /// editing role is `ai_agent` may edit and submit AI-origin articles only.
    public func require(_ permission: Permission, articleOrigin: Origin? = nil) throws(GalleyError) {
        guard has(permission) else {
            let roleList = isOperator ? "database operator" : "roles: " + roles.sorted().map(\.rawValue).joined(separator: ", ")
            throw .forbidden(permission: permission.rawValue, reason: "\(name) (\(roleList)) may not do this")
        }
        if articleOrigin == .human, permission == .editArticle || permission == .submitArticle {
            let humanRoles = roles.filter { $0 != .aiAgent && Permissions.granted(to: $0).contains(permission) }
            if humanRoles.isEmpty {
                throw .forbidden(
                    permission: permission.rawValue, reason: "\(name) is an AI agent and may only edit and submit AI-origin articles")
            }
        }
    }
}

extension Principal {
    /// Whether articles in `section` are on this actor's desk (an actor without a desk has every section).
    public func covers(section: String) -> Bool {
        sections.isEmpty || sections.contains(section)
    }

    /// Whether a role grants `permission` and `section` is on this actor's desk: what
    /// `require` and `requireDesk` together let through, for offering a form ahead of time.
    public func may(_ permission: Permission, onSection section: String) -> Bool {
        has(permission) && covers(section: section)
    }

    /// Throws `forbidden` naming the section when a change to an article in `section` is off this actor's desk.
    public func requireDesk(_ section: String, for permission: Permission) throws(GalleyError) {
        guard covers(section: section) else {
            let desk = sections.sorted().joined(separator: ", ")
            throw .forbidden(
                permission: permission.rawValue,
                reason: "\(name) works on the desk of section(s) \(desk) and may not change articles in section \(section)")
        }
    }
}
