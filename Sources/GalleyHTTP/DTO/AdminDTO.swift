import Foundation
import Galley
import GalleyCore

struct ActorInput: Decodable, Sendable {
    var name: String
    var display_name: String?
    var kind: String?
    var roles: [String]
}

struct ActorDTO: Encodable, Sendable {
    var id: String
    var name: String
    var display_name: String
    var kind: String
    var roles: [String]
    var created_at: Date

    init(_ actor: Actor) {
        id = actor.id.wire
        name = actor.name
        display_name = actor.displayName
        kind = actor.kind.rawValue
        roles = actor.roles.map(\.rawValue)
        created_at = actor.createdAt
    }
}

struct TokenInput: Decodable, Sendable {
    var expires_at: Date?
}

struct IssuedTokenDTO: Encodable, Sendable {
    var id: String
    var token: String
    var expires_at: Date?
}

struct PolicyDTO: Codable, Sendable {
    struct Rule: Codable, Sendable {
        var checkpoint: String
        var sections: [String]?
        var origins: [String]?
        var roles: [String]
    }
    var version: Int?
    var rules: [Rule]

    init(version: Int, policy: WorkflowPolicy) {
        self.version = version
        rules = policy.rules.map {
            Rule(checkpoint: $0.checkpoint, sections: $0.sections, origins: $0.origins?.map(\.rawValue), roles: $0.roles.map(\.rawValue))
        }
    }

    func policy() throws -> WorkflowPolicy {
        var problems: [GalleyError.FieldProblem] = []
        let rules = rules.enumerated().map { index, rule in
            let origins = rule.origins?.compactMap { value -> Origin? in
                guard let origin = Origin(rawValue: value) else {
                    problems.append(.init(field: "rules[\(index)].origins", message: "\(value) is not ai or human"))
                    return nil
                }
                return origin
            }
            let roles = rule.roles.compactMap { value -> Role? in
                guard let role = Role(rawValue: value) else {
                    problems.append(.init(field: "rules[\(index)].roles", message: "\(value) is not a role"))
                    return nil
                }
                return role
            }
            return WorkflowPolicy.Rule(checkpoint: rule.checkpoint, sections: rule.sections, origins: origins, roles: roles)
        }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        return WorkflowPolicy(rules: rules)
    }
}
