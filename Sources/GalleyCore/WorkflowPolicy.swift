import Foundation

/// Which checkpoints an article needs, by section and origin, and who may record each.
public struct WorkflowPolicy: Codable, Sendable, Equatable {
    public struct Rule: Codable, Sendable, Equatable {
        /// The checkpoint's name, e.g. `legal_review`.
        public var checkpoint: String
        /// Sections it applies to; nil for every section.
        public var sections: [String]?
        /// Origins it applies to; nil for both.
        public var origins: [Origin]?
        /// Roles allowed to record a verdict on it.
        public var roles: [Role]
        /// Roles allowed to waive it; empty when nobody may.
        public var waivableBy: [Role]
        /// Origins of the articles on which it may be waived; empty when it never may.
        public var waivableFor: [Origin]

        /// Who may waive a checkpoint when a rule does not say: an editor, and only on
        /// human-origin articles, so that nothing an AI drafted is published unverified.
        public static let defaultWaivableBy: [Role] = [.editor]
        public static let defaultWaivableFor: [Origin] = [.human]

        public init(
            checkpoint: String, sections: [String]? = nil, origins: [Origin]? = nil, roles: [Role],
            waivableBy: [Role] = Rule.defaultWaivableBy, waivableFor: [Origin] = Rule.defaultWaivableFor
        ) {
            self.checkpoint = checkpoint
            self.sections = sections
            self.origins = origins
            self.roles = roles
            self.waivableBy = waivableBy
            self.waivableFor = waivableFor
        }

        enum CodingKeys: String, CodingKey {
            case checkpoint, sections, origins, roles
            case waivableBy = "waivable_by"
            case waivableFor = "waivable_for"
        }

        /// Rules stored before waivers were part of the policy decode with the defaults.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            checkpoint = try container.decode(String.self, forKey: .checkpoint)
            sections = try container.decodeIfPresent([String].self, forKey: .sections)
            origins = try container.decodeIfPresent([Origin].self, forKey: .origins)
            roles = try container.decode([Role].self, forKey: .roles)
            waivableBy = try container.decodeIfPresent([Role].self, forKey: .waivableBy) ?? Self.defaultWaivableBy
            waivableFor = try container.decodeIfPresent([Origin].self, forKey: .waivableFor) ?? Self.defaultWaivableFor
        }

        func applies(section: String, origin: Origin) -> Bool {
            (sections?.contains(section) ?? true) && (origins?.contains(origin) ?? true)
        }

        /// Whether `roles` let someone waive it on an article of `origin`.
        public func allowsWaiver(on origin: Origin, by roles: Set<Role>) -> Bool {
            waivableFor.contains(origin) && !roles.isDisjoint(with: waivableBy)
        }
    }

    public var rules: [Rule]

    public init(rules: [Rule]) { self.rules = rules }

    /// Every article needs `source_check`; AI-origin articles also `fact_check`; section
    /// `politics` also `legal_review`.
    public static let `default` = WorkflowPolicy(rules: [
        Rule(checkpoint: "source_check", roles: [.factChecker, .editor]),
        Rule(checkpoint: "fact_check", origins: [.ai], roles: [.factChecker, .editor]),
        Rule(checkpoint: "legal_review", sections: ["politics"], roles: [.legal], waivableBy: [.legal]),
    ])

    /// The checkpoints an article needs, in policy order, each once. When several rules
    /// name one checkpoint, any of their roles may record it, and it may be waived only as
    /// every one of them allows: the strictest rule decides.
    public func requiredCheckpoints(section: String, origin: Origin) -> [Rule] {
        var merged: [Rule] = []
        for rule in rules where rule.applies(section: section, origin: origin) {
            let waivableFor = rule.waivableFor.contains(origin) ? [origin] : []
            if let index = merged.firstIndex(where: { $0.checkpoint == rule.checkpoint }) {
                merged[index].roles = Array(Set(merged[index].roles + rule.roles)).sorted()
                merged[index].waivableBy = merged[index].waivableBy.filter(rule.waivableBy.contains)
                merged[index].waivableFor = merged[index].waivableFor.filter(waivableFor.contains)
            } else {
                merged.append(Rule(checkpoint: rule.checkpoint, roles: rule.roles, waivableBy: rule.waivableBy, waivableFor: waivableFor))
            }
        }
        return merged
    }

    /// Problems that make the policy unusable, e.g. a checkpoint no role may record.
    public func problems() -> [GalleyError.FieldProblem] {
        var problems: [GalleyError.FieldProblem] = []
        if rules.isEmpty {
            problems.append(.init(field: "rules", message: "must name at least one checkpoint"))
        }
        for (index, rule) in rules.enumerated() {
            if !Validation.isIdentifier(rule.checkpoint) {
                problems.append(.init(field: "rules[\(index)].checkpoint", message: "must be lower_snake_case, e.g. legal_review"))
            }
            if rule.roles.isEmpty {
                problems.append(.init(field: "rules[\(index)].roles", message: "must name at least one role that may record it"))
            }
            if rule.roles.contains(where: \.isServiceRole) {
                problems.append(.init(field: "rules[\(index)].roles", message: "must name people's roles only: services never verify"))
            }
            if let sections = rule.sections, sections.isEmpty || !sections.allSatisfy(Validation.isSlug) {
                problems.append(.init(field: "rules[\(index)].sections", message: "must be omitted or list section slugs"))
            }
            if let origins = rule.origins, origins.isEmpty {
                problems.append(.init(field: "rules[\(index)].origins", message: "must be omitted or list ai and/or human"))
            }
            if rule.waivableBy.contains(where: \.isServiceRole) {
                problems.append(.init(field: "rules[\(index)].waivable_by", message: "must name people's roles only: services never waive"))
            }
        }
        return problems
    }
}

/// The latest verdict on one checkpoint, as stored.
public struct RecordedVerdict: Sendable, Equatable {
    public var checkpoint: String
    public var verdict: Verdict
    public var contentHash: String
    public var actorName: String
    public var recordedAt: Date

    public init(checkpoint: String, verdict: Verdict, contentHash: String, actorName: String, recordedAt: Date) {
        self.checkpoint = checkpoint
        self.verdict = verdict
        self.contentHash = contentHash
        self.actorName = actorName
        self.recordedAt = recordedAt
    }
}

/// Where one required checkpoint stands on the current revision.
public struct CheckpointStatus: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case pending, passed, failed, waived
    }
    public var checkpoint: String
    public var status: Status
    public var by: String?
    public var at: Date?
    public var roles: [Role]
}

public enum CheckpointEvaluation {
    /// Each required checkpoint's status. Only verdicts on `contentHash` count: a verdict on
    /// other text, however recent, leaves the checkpoint pending. So does a waiver the policy
    /// in force does not allow for the article's origin (`required` comes from
    /// `requiredCheckpoints`, which keeps `waivableFor` only when it allows that origin): one
    /// recorded under a looser policy stops counting when the policy is tightened.
    public static func statuses(
        required: [WorkflowPolicy.Rule], latestVerdicts: [RecordedVerdict], contentHash: String
    ) -> [CheckpointStatus] {
        required.map { rule in
            let verdict =
                latestVerdicts
                .filter { $0.checkpoint == rule.checkpoint && $0.contentHash == contentHash }
                .max { $0.recordedAt < $1.recordedAt }
            guard let verdict, verdict.verdict != .waived || !rule.waivableFor.isEmpty else {
                return CheckpointStatus(checkpoint: rule.checkpoint, status: .pending, by: nil, at: nil, roles: rule.roles)
            }
            let status: CheckpointStatus.Status =
                switch verdict.verdict {
                case .passed: .passed
                case .failed: .failed
                case .waived: .waived
                }
            return CheckpointStatus(
                checkpoint: rule.checkpoint, status: status, by: verdict.actorName, at: verdict.recordedAt, roles: rule.roles)
        }
    }

    /// What stands between the current revision and approval: checkpoints not passed or
    /// waived, and for `fact_check` any claim that is not verified.
    public static func unmet(statuses: [CheckpointStatus], blockingClaims: [String]) -> [GalleyError.Unmet] {
        var unmet: [GalleyError.Unmet] = []
        for status in statuses {
            switch status.status {
            case .passed, .waived:
                if status.checkpoint == "fact_check", !blockingClaims.isEmpty {
                    unmet.append(.init("fact_check", "claims not verified: " + blockingClaims.joined(separator: "; ")))
                }
            case .pending:
                unmet.append(.init(status.checkpoint, "not yet passed on the current revision"))
            case .failed:
                unmet.append(.init(status.checkpoint, "failed on the current revision"))
            }
        }
        return unmet
    }
}
