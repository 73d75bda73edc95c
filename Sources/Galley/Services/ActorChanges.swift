import Foundation
import GalleyCore
import Postgres

extension ActorService {
    /// What a change of an actor sets; nil leaves a field as it is.
    public struct ActorChange: Sendable {
        public var displayName: String?
        /// The full new set.
        public var roles: [Role]?
        public var active: Bool?
        /// The actor's desk; empty means every section.
        public var sections: [String]?

        public init(displayName: String? = nil, roles: [Role]? = nil, active: Bool? = nil, sections: [String]? = nil) {
            self.displayName = displayName
            self.roles = roles
            self.active = active
            self.sections = sections
        }
    }

    /// The most sections a desk may have (also a CHECK of sql/0014).
    static let maxSections = 64

    /// Changes an actor at once for every request that follows, on every server: its version
    /// moves, so a server that remembers the actor by a token finds its copy out of date
    /// (`Credential`). Switching an actor off keeps their history, which still names them.
    /// The last active admin keeps `admin` and stays active, or nobody could manage actors;
    /// and no admin switches themselves off or gives up admin: another admin does.
    public func update(
        _ reference: ActorReference, _ change: ActorChange, expectedVersion: ExpectedVersion? = nil, by caller: Caller
    ) async throws -> Actor {
        try caller.principal.require(.manageActors)
        let displayName = change.displayName?.trimmingWhiteSpace()
        var problems: [GalleyError.FieldProblem] = []
        if change.displayName == nil, change.roles == nil, change.active == nil, change.sections == nil {
            problems.append(.init(field: "body", message: "give at least one of display_name, roles, active, sections"))
        }
        if let displayName {
            if displayName.isEmpty { problems.append(.init(field: "display_name", message: "must not be empty")) }
            problems += Self.displayNameProblems(displayName)
        }
        if let sections = change.sections {
            if sections.count > Self.maxSections {
                problems.append(.init(field: "sections", message: "must name at most \(Self.maxSections) sections"))
            } else if let section = sections.first(where: { !Validation.isSlug($0) }) {
                problems.append(.init(field: "sections", message: "\(section.prefix(120)) is not a section: a lowercase slug such as politics"))
            }
        }
        if let roles = change.roles, roles.isEmpty { problems.append(.init(field: "roles", message: "must name at least one role")) }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        let roles = change.roles.map { Array(Set($0)).sorted() }
        let sections = change.sections.map { Array(Set($0)).sorted() }
        let now = env.now()
        return try await env.transaction { conn in
            if change.active == false || roles != nil { try ActorStore.lockAdminChanges(conn) }
            let before = try ActorStore.lock(conn, reference)
            try expectedVersion?.check(before.version)
            let roleProblems = Self.roleProblems(kind: before.kind, roles: roles ?? before.roles)
            if !roleProblems.isEmpty { throw GalleyError.validation(roleProblems) }
            let after = (
                displayName: displayName ?? before.displayName, roles: roles ?? before.roles, active: change.active ?? before.active,
                sections: sections ?? before.sections
            )
            var changes: [String: JSONValue] = [:]
            func note(_ field: String, _ from: JSONValue, _ to: JSONValue) {
                if from != to { changes[field] = ["from": from, "to": to] }
            }
            note("display_name", .string(before.displayName), .string(after.displayName))
            note("roles", .array(before.roles.map { .string($0.rawValue) }), .array(after.roles.map { .string($0.rawValue) }))
            note("active", .bool(before.active), .bool(after.active))
            note("sections", .array(before.sections.map { .string($0) }), .array(after.sections.map { .string($0) }))
            if changes.isEmpty { return before }
            let wasAdmin = before.active && before.roles.contains(.admin)
            if wasAdmin, !(after.active && after.roles.contains(.admin)), try ActorStore.otherActiveAdmins(conn, besides: before.id) == 0 {
                throw GalleyError.conflict(
                    "\(before.name) is the last active admin and must stay an active admin; make another actor an admin first.")
            }
            if wasAdmin, before.id == caller.principal.actorID, !(after.active && after.roles.contains(.admin)) {
                throw GalleyError.conflict(
                    "\(before.name) cannot switch themselves off or give up admin; another admin must, so that nobody locks themselves out.")
            }
            let updated = try ActorStore.update(
                conn, id: before.id, displayName: after.displayName, roles: after.roles, active: after.active, sections: after.sections,
                at: now)
            let deactivated = before.active && !updated.active
            var details: [String: JSONValue] = [
                "actor": .string(updated.name), "actor_id": .string(updated.id.lowercasedString),
                "version": .number(Double(updated.version)), "changes": .object(changes),
            ]
            if deactivated {
                let ended = try Self.endPresence(conn, of: updated, by: caller, at: now)
                details["tokens_revoked"] = .number(Double(ended.tokens))
                details["assignments_removed"] = .number(Double(ended.assignments))
                details["sessions_ended"] = .number(Double(ended.sessions))
            }
            try AuditStore.append(
                conn,
                AuditEntry(
                    chain: AuditEntry.systemChain, principal: caller.principal, action: deactivated ? "actor.deactivated" : "actor.updated",
                    details: .object(details), requestID: caller.requestID, at: now))
            return updated
        }
    }
}
