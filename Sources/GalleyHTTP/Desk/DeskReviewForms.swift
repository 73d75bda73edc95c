import Foundation
import Galley
import GalleyCore
import Hummingbird

/// The review page's forms, each read into the call of the service the API's route makes.
/// Every form but a comment's carries the article's `version` as the page showed it, so a
/// stale page is refused with the domain's precondition words (comments move no version).
struct DeskReviewForms: Sendable {
    let services: GalleyServices

    struct Submission: Sendable {
        let articleID: UUID
        let form: DeskForm
        let caller: Caller
        let parameters: Parameters

        /// The page's `version` field as the write's expectation.
        func expectedVersion() throws -> ExpectedVersion {
            guard let text = form["version"], let version = Int(text), version >= 0 else {
                throw GalleyError.validation([.init(field: "version", message: "is missing from the form; reload the page and try again")])
            }
            return ExpectedVersion(version)
        }

        /// A revision number the form carries.
        func revision() throws -> Int {
            guard let text = form["revision"], let number = Int(text), (1...Int(Int32.max)).contains(number) else {
                throw GalleyError.validation([.init(field: "revision", message: "is missing from the form; reload the page and try again")])
            }
            return number
        }

        /// The id in the path's `name` part.
        func id(_ name: String, kind: String) throws -> UUID {
            let text = parameters.get(name) ?? ""
            guard let id = UUIDFormat.parse(text) else { throw GalleyError.notFound(kind: kind, id: String(text.prefix(64))) }
            return id
        }

        /// A field, nil when left empty.
        func optional(_ name: String) -> String? {
            guard let value = form[name], !value.trimmingWhiteSpace().isEmpty else { return nil }
            return value
        }

        /// A `datetime-local` field (the page labels it UTC), nil when left empty.
        func time(_ name: String) throws -> Date? {
            guard let text = optional(name)?.trimmingWhiteSpace() else { return nil }
            let zoned = text.utf8.count == 16 ? text + ":00Z" : text + "Z"
            guard text.utf8.count <= 19, let date = RFC3339.parse(zoned) else {
                throw GalleyError.validation([.init(field: name, message: "must be a date and time in UTC such as 2027-03-01T09:30")])
            }
            return date
        }
    }

    /// Answers the key of the notice the page shows after it (`notices`).
    typealias Handler = @Sendable (Submission) async throws -> String

    static let notices = [
        "claim-added": "Claim added.", "claim-updated": "Claim updated.", "verdict": "Verdict recorded.", "comment": "Comment posted.",
        "thread": "Thread updated.", "assigned": "Step assigned.", "unassigned": "Assignment removed.", "transition": "Done.",
    ]

    /// Each form's path under `/desk/articles/{id}/`, and what it does.
    var handlers: [(String, Handler)] {
        [
            ("claims", addClaim), ("claims/{claim}", judgeClaim), ("checkpoints", recordVerdict), ("comments", comment),
            ("comments/{comment}/resolution", resolve), ("assignments", assign), ("assignments/{assignment}/removal", unassign),
            ("transitions", transition),
        ]
    }

    private func addClaim(_ sent: Submission) async throws -> String {
        _ = try await services.review.addClaim(
            text: sent.form["text"] ?? "", revision: try sent.revision(), on: sent.articleID, expectedVersion: try sent.expectedVersion(),
            by: sent.caller)
        return "claim-added"
    }

    private func judgeClaim(_ sent: Submission) async throws -> String {
        guard let status = sent.form["status"].flatMap(ClaimStatus.init(rawValue:)) else {
            throw GalleyError.validation([.init(field: "status", message: "must be verified, disputed or false")])
        }
        let evidence = LinkView.evidence(sent.form["evidence"] ?? "", note: sent.optional("note"))
        // A claim keeps a note only on its evidence: one without a link would be lost.
        if evidence.isEmpty, sent.optional("note") != nil {
            throw GalleyError.validation([.init(field: "note", message: "is kept with an evidence link; give the link it is about")])
        }
        _ = try await services.review.updateClaim(
            try sent.id("claim", kind: "claim"), on: sent.articleID, status: status, evidence: evidence.isEmpty ? nil : evidence,
            expectedVersion: try sent.expectedVersion(), by: sent.caller)
        return "claim-updated"
    }

    private func recordVerdict(_ sent: Submission) async throws -> String {
        guard let verdict = sent.form["verdict"].flatMap(Verdict.init(rawValue:)) else {
            throw GalleyError.validation([.init(field: "verdict", message: "must be passed, failed or waived")])
        }
        let input = ReviewService.VerdictInput(
            checkpoint: sent.form["checkpoint"] ?? "", verdict: verdict, revision: try sent.revision(), note: sent.form["note"] ?? "",
            evidence: LinkView.evidence(sent.form["evidence"] ?? "", note: nil))
        _ = try await services.review.record(input, on: sent.articleID, expectedVersion: try sent.expectedVersion(), by: sent.caller)
        return "verdict"
    }

    private func comment(_ sent: Submission) async throws -> String {
        let parent = try sent.optional("parent").map { text in
            guard let id = UUIDFormat.parse(text) else { throw GalleyError.validation([.init(field: "parent", message: "must be a comment's id")]) }
            return id
        }
        let new = CommentService.NewComment(body: sent.form["body"] ?? "", quote: sent.optional("quote"), parentID: parent)
        _ = try await services.comments.add(new, on: sent.articleID, by: sent.caller)
        return "comment"
    }

    private func resolve(_ sent: Submission) async throws -> String {
        _ = try await services.comments.setResolved(
            sent.form["resolved"] != "false", comment: try sent.id("comment", kind: "comment"), on: sent.articleID, by: sent.caller)
        return "thread"
    }

    private func assign(_ sent: Submission) async throws -> String {
        let new = AssignmentService.NewAssignment(
            step: sent.form["step"] ?? "", assignee: (sent.form["assignee"] ?? "").trimmingWhiteSpace(), dueAt: try sent.time("due"))
        _ = try await services.assignments.assign(new, on: sent.articleID, expectedVersion: try sent.expectedVersion(), by: sent.caller)
        return "assigned"
    }

    private func unassign(_ sent: Submission) async throws -> String {
        try await services.assignments.remove(
            try sent.id("assignment", kind: "assignment"), on: sent.articleID, expectedVersion: try sent.expectedVersion(), by: sent.caller)
        return "unassigned"
    }

    private func transition(_ sent: Submission) async throws -> String {
        guard let action = sent.form["action"].flatMap(ArticleAction.init(rawValue:)), action != .edit else {
            throw GalleyError.validation([.init(field: "action", message: "is not an action this page offers; reload the page")])
        }
        let request = TransitionService.Request(
            action, reason: sent.optional("reason"), publishAt: try sent.time("publish_at"), correctionNote: sent.optional("correction_note"),
            notice: sent.optional("notice"), expectedVersion: try sent.expectedVersion())
        _ = try await services.transitions.perform(request, on: sent.articleID, by: sent.caller)
        return "transition"
    }
}
