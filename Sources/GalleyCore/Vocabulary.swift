/// Where the newest revision of an article stands in the workflow.
public enum ArticleState: String, Sendable, Codable, CaseIterable {
    case draft
    case inReview = "in_review"
    case approved
    case scheduled
    case published
    case unpublished
    case retracted
    case spiked
}

/// Every change of state goes through one of these (creation aside).
public enum ArticleAction: String, Sendable, Codable, CaseIterable {
    case edit
    case submit
    case requestChanges = "request_changes"
    case approve
    case schedule
    case unschedule
    case publish
    case unpublish
    case retract
    case spike
    case restore
}

/// Who wrote an article: an AI system or a person.
public enum Origin: String, Sendable, Codable, CaseIterable {
    case ai
    case human
}

public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case admin
    case editor
    case factChecker = "fact_checker"
    case legal
    case writer
    case aiAgent = "ai_agent"
    case publisher

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Roles only service accounts hold; people hold the others.
    public var isServiceRole: Bool { self == .aiAgent || self == .publisher }
}

public enum ActorKind: String, Sendable, Codable {
    case person
    case service
}

public enum Verdict: String, Sendable, Codable, CaseIterable {
    case passed
    case failed
    case waived
}

public enum ClaimStatus: String, Sendable, Codable, CaseIterable {
    case unverified
    case verified
    case disputed
    case `false`

    /// Whether this claim stops `fact_check` from passing.
    public var blocksFactCheck: Bool { self != .verified }
}

/// IPTC digital source types for the provenance of text.
public enum DigitalSourceType: String, Sendable, Codable {
    case trainedAlgorithmicMedia
    case compositeWithTrainedAlgorithmicMedia

    public var iptcURI: String { "http://cv.iptc.org/newscodes/digitalsourcetype/\(rawValue)" }
}

public enum GenerationStatus: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case succeeded
    case failed
    case cancelled
}
