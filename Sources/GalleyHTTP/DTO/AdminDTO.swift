import Foundation
import Galley
import GalleyCore
import GalleyOutput

struct ActorInput: Decodable, Sendable {
    var name: String
    var display_name: String?
    var kind: String?
    var roles: [String]
}

/// `PATCH /v1/actors/{id}`: any of the fields; absent ones stay as they are.
struct ActorChangeInput: Decodable, Sendable {
    var display_name: String?
    var roles: [String]?
    var active: Bool?
    var sections: [String]?
}

/// `POST /v1/actors/{id}/tokens`: `expires_in` (a span such as 90d, or "never") or
/// `expires_at`, not both; a person's token lasts 90 days when neither is given.
struct TokenInput: Decodable, Sendable {
    var label: String?
    var expires_in: String?
    var expires_at: Date?
}

struct PolicyDTO: Codable, Sendable {
    struct Rule: Codable, Sendable {
        var checkpoint: String
        var sections: [String]?
        var origins: [String]?
        var roles: [String]
        /// Omitted in a request: the policy's defaults (`WorkflowPolicy.Rule.defaultWaivableBy`).
        var waivable_by: [String]?
        var waivable_for: [String]?
    }
    var version: Int?
    var rules: [Rule]

    init(version: Int, policy: WorkflowPolicy) {
        self.version = version
        rules = policy.rules.map {
            Rule(
                checkpoint: $0.checkpoint, sections: $0.sections, origins: $0.origins?.map(\.rawValue), roles: $0.roles.map(\.rawValue),
                waivable_by: $0.waivableBy.map(\.rawValue), waivable_for: $0.waivableFor.map(\.rawValue))
        }
    }

    func policy() throws -> WorkflowPolicy {
        var problems: [GalleyError.FieldProblem] = []
        func parse<Value: RawRepresentable<String>>(_ values: [String], _ field: String, _ what: String) -> [Value] {
            values.compactMap { value in
                guard let parsed = Value(rawValue: value) else {
                    problems.append(.init(field: field, message: "\(value) is not \(what)"))
                    return nil
                }
                return parsed
            }
        }
        let rules = rules.enumerated().map { index, rule in
            WorkflowPolicy.Rule(
                checkpoint: rule.checkpoint, sections: rule.sections,
                origins: rule.origins.map { parse($0, "rules[\(index)].origins", "ai or human") },
                roles: parse(rule.roles, "rules[\(index)].roles", "a role"),
                waivableBy: rule.waivable_by.map { parse($0, "rules[\(index)].waivable_by", "a role") }
                    ?? WorkflowPolicy.Rule.defaultWaivableBy,
                waivableFor: rule.waivable_for.map { parse($0, "rules[\(index)].waivable_for", "ai or human") }
                    ?? WorkflowPolicy.Rule.defaultWaivableFor)
        }
        if !problems.isEmpty { throw GalleyError.validation(problems) }
        return WorkflowPolicy(rules: rules)
    }
}
