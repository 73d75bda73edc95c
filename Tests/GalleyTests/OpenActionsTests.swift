import Foundation
import GalleyCore
import Testing

/// What a person is offered on an article: the actions the state, their roles and their desk
/// allow, and the verdicts their roles allow on a checkpoint.
@Suite struct OpenActionsTests {
    func person(_ roles: Set<Role>, sections: Set<String> = []) -> Principal {
        Principal(actorID: UUID(), name: "p", kind: .person, roles: roles, sections: sections)
    }

    @Test func theStateAndThePersonsRolesAndDeskDecideWhichActionsAreOffered() {
        #expect(Workflow.actions(openTo: person([.writer]), state: .draft, origin: .human, section: "world") == [.submit])
        #expect(Workflow.actions(openTo: person([.editor]), state: .inReview, origin: .ai, section: "world") == [.requestChanges, .approve, .spike])
        #expect(Workflow.actions(openTo: person([.publisher]), state: .approved, origin: .human, section: "world") == [.schedule, .publish])
        #expect(Workflow.actions(openTo: person([.editor], sections: ["local"]), state: .inReview, origin: .ai, section: "world").isEmpty)
        #expect(Workflow.actions(openTo: person([.factChecker]), state: .inReview, origin: .ai, section: "world").isEmpty)
        let agent = Principal(actorID: UUID(), name: "drafter", kind: .service, roles: [.aiAgent])
        #expect(Workflow.actions(openTo: agent, state: .draft, origin: .human, section: "world").isEmpty)
        #expect(Workflow.actions(openTo: agent, state: .draft, origin: .ai, section: "world") == [.submit])
    }

    @Test func aVerdictIsOfferedToTheRolesThePolicyNamesAndAWaiverOnlyWhereItMayBeGiven() {
        let legal = WorkflowPolicy.default.requiredCheckpoints(section: "politics", origin: .human).first { $0.checkpoint == "legal_review" }!
        #expect(VerdictRules.offers(.passed, rule: legal, origin: .human, roles: [.legal]))
        #expect(!VerdictRules.offers(.passed, rule: legal, origin: .human, roles: [.factChecker]))
        #expect(VerdictRules.offers(.waived, rule: legal, origin: .human, roles: [.legal]))
        #expect(!VerdictRules.offers(.waived, rule: legal, origin: .human, roles: [.editor]))
        let onAI = WorkflowPolicy.default.requiredCheckpoints(section: "politics", origin: .ai).first { $0.checkpoint == "legal_review" }!
        #expect(!VerdictRules.offers(.waived, rule: onAI, origin: .ai, roles: [.legal]))
    }
}
