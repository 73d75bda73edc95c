/// The one error type of the domain. Each adapter (HTTP, CLI) maps it once: to a problem
/// document with a status, or to a message and an exit code.
public enum GalleyError: Error, Sendable, Equatable {
    /// No such thing: `kind` is "article", "actor", …, `id` what was asked for.
    case notFound(kind: String, id: String)
    /// The actor is not known or its credential is not valid.
    case unauthenticated(String)
    /// The actor lacks a permission; `permission` names it.
    case forbidden(permission: String, reason: String)
    /// The action is not allowed now; `unmet` lists every requirement that is not met.
    case invalidTransition(action: String, state: String, unmet: [Unmet])
    /// Another change got there first, or the request clashes with what is stored.
    case conflict(String)
    /// The caller's expected version is stale (`expected` is empty when it named none of ours).
    case preconditionFailed(expected: [Int], actual: Int)
    /// Input that cannot be accepted; one problem per field.
    case validation([FieldProblem])
    /// The database cannot be reached.
    case unavailable(String)
    /// Two texts differ in more words than a diff of their length may show (`WordDiff`).
    case tooLargeToDiff(changedWordLimit: Int)
    /// Too much of one kind of work is already waiting (sign-ins); the text says what, and
    /// trying again a few seconds later is the cure.
    case busy(String)

    /// One requirement of an action that is not met, e.g. `legal_review`.
    public struct Unmet: Sendable, Equatable, Codable, CustomStringConvertible {
        /// A stable name: a checkpoint (`legal_review`), a field (`reason`), or a rule
        /// (`state`, `four_eyes`, `human_approver`, `claims`).
        public var requirement: String
        public var message: String
        public init(_ requirement: String, _ message: String) {
            self.requirement = requirement
            self.message = message
        }
        public var description: String { "\(requirement): \(message)" }
    }

    public struct FieldProblem: Sendable, Equatable, Codable {
        public var field: String
        public var message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    /// One sentence that says what was wrong and what would fix it.
    public var message: String {
        switch self {
        case .notFound(let kind, let id):
            "No \(kind) \(id) exists; check the id."
        case .unauthenticated(let text):
            text
        case .forbidden(let permission, let reason):
            "Not allowed: \(reason) (missing permission \(permission))."
        case .invalidTransition(let action, let state, let unmet):
            "Cannot \(action) an article that is \(state): " + unmet.map(\.description).joined(separator: "; ") + "."
        case .conflict(let text):
            text
        case .preconditionFailed(let expected, let actual):
            expected.isEmpty
                ? "The entity tag you sent names no version this server issued (it is now version \(actual)); fetch it again and retry."
                : "The article changed since you read it (you sent version \(expected.map { String($0) }.joined(separator: " or ")), it is now \(actual)); fetch it again and retry."
        case .validation(let problems):
            "Invalid input: " + problems.map { "\($0.field) \($0.message)" }.joined(separator: "; ") + "."
        case .unavailable(let text):
            "The database is unavailable (\(text)); check that PostgreSQL is running and DATABASE_URL is right."
        case .busy(let text):
            text
        case .tooLargeToDiff(let limit):
            "These revisions are too large to diff: they differ in more than \(limit) words (inserted plus removed), "
                + "the most a diff of texts this long shows; compare revisions closer to each other."
        }
    }
}
