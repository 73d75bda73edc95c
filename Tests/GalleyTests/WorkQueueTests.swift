import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

/// The work queue offers each caller exactly the steps they can take, and assignments end
/// when their step is done.
@Suite struct WorkQueueTests {
    /// Every kind of waiting step, then each role in turn takes the first item of its queue
    /// and performs it, until its queue is empty: the queue never offers a step the caller
    /// would be refused, and every step is taken by someone.
    @Test func everyQueueItemCanBePerformedByItsCaller() async throws {
        try await Newsroom.with { room in
            let human = try await room.draft(title: "A human draft in review").article.id
            _ = try await room.act(.submit, human, by: room.writer)
            let ai = try await room.aiDraft(section: "politics").article.id
            _ = try await room.services.review.addClaim(text: "123 prisoners were released", revision: 1, on: ai, by: room.factChecker)
            _ = try await room.act(.submit, ai, by: room.ai)
            let byEditor = try await room.services.articles.create(
                .init(content: try Newsroom.content("The editor's own draft"), section: "world"), by: room.editor
            ).article.id
            _ = try await room.act(.submit, byEditor, by: room.editor)
            let approved = try await room.approved(title: "Approved and waiting").article.id
            let sentBack = try await room.draft(title: "Sent back").article.id
            _ = try await room.act(.submit, sentBack, by: room.writer)
            _ = try await room.act(.requestChanges, sentBack, by: room.editor, reason: "Name the source")
            let aiSentBack = try await room.aiDraft(section: "world").article.id
            _ = try await room.act(.submit, aiSentBack, by: room.ai)
            _ = try await room.act(.requestChanges, aiSentBack, by: room.editor, reason: "Shorter")
            // Assigned steps are taken by their assignees only.
            _ = try await room.services.assignments.assign(.init(step: "source_check", assignee: "eddie"), on: human, by: room.admin)
            _ = try await room.services.assignments.assign(.init(step: "approval", assignee: "erin"), on: ai, by: room.admin)

            #expect(try await queue(room, room.editor).contains { $0.articleID == byEditor } == false)
            #expect(try await queue(room, room.factChecker).contains { $0.articleID == byEditor && $0.waitingFor == "source_check" })
            #expect(try await queue(room, room.writer).map(\.waitingFor) == ["changes"])

            var performed: [String: [String]] = [:]
            for caller in [room.factChecker, room.legal, room.writer, room.ai, room.editor, room.otherEditor, room.publisher, room.admin] {
                for _ in 0..<40 {
                    guard let item = try await queue(room, caller).first else { break }
                    try await perform(item, room: room, by: caller)
                    performed[caller.principal.name, default: []].append(item.waitingFor)
                }
                #expect(try await queue(room, caller).isEmpty, "\(caller.principal.name)'s queue should be done")
            }
            #expect(performed["fiona"]?.sorted() == ["fact_check", "source_check", "source_check"])
            #expect(performed["lou"] == ["legal_review"])
            #expect(performed["wendy"] == ["changes"])
            #expect(performed["drafter"] == ["changes"])
            #expect(performed["eddie"]?.contains("approval") == true && performed["eddie"]?.contains("publish") == true)
            #expect(performed["erin"]?.contains("approval") == true, "the editor's own draft is approved by another editor")
            for id in [human, ai, byEditor, approved] {
                #expect(try await room.services.articles.get(id, by: room.editor).article.state == .published)
            }
        }
    }

    @Test func theAssigneeMustBeAbleToTakeTheStep() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft(section: "world").article.id
            _ = try await room.act(.submit, id, by: room.writer)
            func refusal(_ step: String, _ assignee: String) async throws -> String {
                let error = try await #require(throws: GalleyError.self) {
                    try await room.services.assignments.assign(.init(step: step, assignee: assignee), on: id, by: room.editor)
                }
                guard case .validation(let problems) = error else { return "not a validation: \(error)" }
                return problems.map(\.message).joined()
            }
            let lou = try await refusal("source_check", "lou")
            #expect(lou.contains("source_check is recorded by"), "\(lou)")
            #expect(try await refusal("source_check", "publish-bot").contains("checkpoints are checked by people"))
            #expect(try await refusal("approval", "fiona").contains("may not do this"))
            #expect(try await refusal("approval", "wendy").contains("may not do this"))
            #expect(try await refusal("legal_review", "lou").contains("not a step of this article"))
            let writerError = try await #require(throws: GalleyError.self) {
                try await room.services.assignments.assign(.init(step: "source_check", assignee: "fiona"), on: id, by: room.writer)
            }
            #expect(writerError.message.contains("assignments.manage"))
            let assigned = try await room.services.assignments.assign(
                .init(step: "source_check", assignee: room.factChecker.principal.actorID!.uuidString), on: id, by: room.editor)
            #expect(assigned.assignee == "fiona" && assigned.assignedBy == "eddie")
        }
    }

    @Test func assignmentsEndWhenTheirStepIsDoneAndReassigningReplaces() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft().article.id
            _ = try await room.act(.submit, id, by: room.writer)
            let first = try await room.services.assignments.assign(.init(step: "source_check", assignee: "eddie"), on: id, by: room.admin)
            let second = try await room.services.assignments.assign(.init(step: "source_check", assignee: "fiona"), on: id, by: room.admin)
            let approval = try await room.services.assignments.assign(.init(step: "approval", assignee: "erin"), on: id, by: room.admin)
            #expect(try await room.services.articles.get(id, by: room.writer).assignments.map(\.id) == [second.id, approval.id])
            #expect(try await queue(room, room.factChecker).first?.assignedTo?.name == "fiona")
            #expect(try await queue(room, room.editor).contains { $0.articleID == id } == false, "assigned to someone else")
            #expect(try await queue(room, room.editor, assigned: .any).first?.assignedTo?.name == "fiona")

            try await room.passCheckpoints(id)
            #expect(try await room.services.articles.get(id, by: room.writer).assignments.map(\.id) == [approval.id])
            let approvalItem = try await queue(room, room.otherEditor).first
            #expect(approvalItem?.waitingFor == "approval")
            #expect(approvalItem?.assignedTo?.name == "erin", "the step opened after its assignment and is hers")
            _ = try await room.act(.approve, id, by: room.otherEditor)
            #expect(try await room.services.articles.get(id, by: room.writer).assignments.isEmpty)
            let endings = try await room.pool.withConnection { conn in
                try conn.query("SELECT id, ended_reason FROM assignments WHERE article_id = \(id)").map {
                    (try $0.decode("id", as: UUID.self), try $0.decode("ended_reason", as: String.self))
                }
            }
            #expect(Dictionary(uniqueKeysWithValues: endings) == [first.id: "replaced", second.id: "done", approval.id: "done"])
        }
    }

    @Test func removingAndSpikingEndAssignmentsWithTheirEvents() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft().article.id
            _ = try await room.act(.submit, id, by: room.writer)
            let assigned = try await room.services.assignments.assign(.init(step: "source_check", assignee: "fiona"), on: id, by: room.editor)
            try await room.services.assignments.remove(assigned.id, on: id, by: room.editor)
            let again = try await #require(throws: GalleyError.self) {
                try await room.services.assignments.remove(assigned.id, on: id, by: room.editor)
            }
            #expect(again == .notFound(kind: "open assignment", id: assigned.id.lowercasedString))
            _ = try await room.services.assignments.assign(.init(step: "approval", assignee: "erin"), on: id, by: room.editor)
            #expect(try await room.services.articles.get(id, by: room.writer).assignments.count == 1)
            _ = try await room.act(.spike, id, by: room.editor, reason: "Dropped")
            #expect(try await room.services.articles.get(id, by: room.writer).assignments.isEmpty)
            #expect(try await queue(room, room.factChecker).isEmpty)
            var events = AuditService.Query()
            events.articleID = id
            let actions = try await room.services.audit.events(events, by: room.admin).items.map(\.action)
            #expect(actions.filter { $0.hasPrefix("assignment.") } == ["assignment.created", "assignment.removed", "assignment.created"])
            let streamed = try await room.pool.withConnection { conn in
                try conn.query(
                    """
                    SELECT s.type FROM event_stream s JOIN audit_events e ON e.id = s.event_id
                    WHERE e.article_id = \(id) AND s.type LIKE 'assignment.%' ORDER BY s.event_id
                    """
                ).map { try $0.decode("type", as: String.self) }
            }
            #expect(streamed == ["assignment.created", "assignment.removed", "assignment.created"], "they go out as events")
        }
    }

    @Test func assignedStepsComeFirstOverdueFirstAndPagesWalkEveryItem() async throws {
        try await Newsroom.with { room in
            var ids: [UUID] = []
            for index in 0..<5 {
                let id = try await room.draft(title: "Queued \(index)").article.id
                _ = try await room.act(.submit, id, by: room.writer)
                ids.append(id)
            }
            let past = Date(timeIntervalSinceNow: -3600)
            _ = try await room.services.assignments.assign(.init(step: "source_check", assignee: "fiona"), on: ids[3], by: room.editor)
            _ = try await room.services.assignments.assign(
                .init(step: "source_check", assignee: "fiona", dueAt: past), on: ids[4], by: room.editor)
            let items = try await queue(room, room.factChecker)
            #expect(items.map(\.articleID) == [ids[4], ids[3], ids[0], ids[1], ids[2]])
            #expect(items.map(\.overdue) == [true, false, false, false, false])
            var walked: [UUID] = []
            var cursor: String?
            repeat {
                var query = QueueService.Query()
                query.limit = 2
                query.cursor = cursor
                let page = try await room.services.queue.page(query, by: room.factChecker)
                walked += page.items.map(\.articleID)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(walked == items.map(\.articleID))
            #expect(try await queue(room, room.factChecker, assigned: .me).map(\.articleID) == [ids[4], ids[3]])
            #expect(try await queue(room, room.factChecker, assigned: .unassigned).map(\.articleID) == [ids[0], ids[1], ids[2]])
        }
    }

    @Test func aNewPolicyDecidesWhichCheckpointsWaitInTheQueue() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft(section: "world").article.id
            _ = try await room.act(.submit, id, by: room.writer)
            #expect(try await queue(room, room.legal).isEmpty)
            let policy = WorkflowPolicy(rules: [
                .init(checkpoint: "legal_review", roles: [.legal], waivableBy: [.legal])
            ])
            _ = try await room.services.policy.replace(with: policy, by: room.admin)
            #expect(try await queue(room, room.legal).map(\.waitingFor) == ["legal_review"])
            #expect(try await queue(room, room.factChecker).isEmpty, "source_check is no longer required")
            try await perform(try #require(try await queue(room, room.legal).first), room: room, by: room.legal)
            #expect(try await queue(room, room.editor).map(\.waitingFor) == ["approval"])
        }
    }

    /// A checkpoint passed on the current text has nothing left to do: assigning it is refused.
    @Test func aCheckpointAlreadyPassedCannotBeAssigned() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft(section: "world").article.id
            _ = try await room.act(.submit, id, by: room.writer)
            try await room.passCheckpoints(id)
            let error = try await #require(throws: GalleyError.self) {
                try await room.services.assignments.assign(.init(step: "source_check", assignee: "fiona"), on: id, by: room.editor)
            }
            guard case .validation(let problems) = error else {
                Issue.record("not a validation: \(error)")
                return
            }
            #expect(problems.map(\.field) == ["checkpoint"])
            #expect(problems.map(\.message).joined().contains("source_check was passed on revision 1"), "\(problems)")
            #expect(try await room.services.articles.get(id, by: room.editor).assignments.isEmpty)
        }
    }

    /// A checkpoint the new policy no longer requires has no step left: its assignment ends.
    @Test func aPolicyThatDropsAnAssignedCheckpointEndsItsAssignment() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft(section: "world").article.id
            _ = try await room.act(.submit, id, by: room.writer)
            let assigned = try await room.services.assignments.assign(.init(step: "source_check", assignee: "fiona"), on: id, by: room.editor)
            let policy = WorkflowPolicy(rules: [.init(checkpoint: "legal_review", roles: [.legal], waivableBy: [.legal])])
            _ = try await room.services.policy.replace(with: policy, by: room.admin)
            #expect(try await room.services.articles.get(id, by: room.editor).assignments.isEmpty)
            let ended = try await room.pool.query("SELECT ended_reason FROM assignments WHERE id = \(assigned.id)")
            #expect(try ended.map { try $0.decode("ended_reason", as: String?.self) } == ["removed"])
            var events = AuditService.Query()
            events.articleID = id
            let removal = try await room.services.audit.events(events, by: room.admin).items.first { $0.action == "assignment.removed" }
            #expect(removal?.reason?.contains("no longer requires source_check") == true, "\(String(describing: removal))")
        }
    }

    /// A policy change and a verdict on the same article at the same time: whichever commits
    /// last, the queue holds the steps of the new policy with the verdict counted.
    @Test func aPolicyChangeRacingAVerdictLeavesTheNewPolicysSteps() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft(section: "world").article.id
            _ = try await room.act(.submit, id, by: room.writer)
            // Another transaction holds the article's row: the verdict reads its facts, then waits.
            let blocker = try PostgresConnection(connectionString: room.connectionString)
            let watcher = try PostgresConnection(connectionString: room.connectionString)
            _ = try blocker.execute("BEGIN")
            _ = try blocker.query("SELECT 1 FROM articles WHERE id = \(id) FOR UPDATE")
            let verdict = Task {
                try await room.services.review.record(
                    .init(checkpoint: "source_check", verdict: .passed, revision: 1, note: "checked"), on: id, by: room.factChecker)
            }
            try await Self.waitForLockWaits(1, seenBy: watcher)
            let policy = WorkflowPolicy(rules: [.init(checkpoint: "legal_review", roles: [.legal], waivableBy: [.legal])])
            let change = Task { try await room.services.policy.replace(with: policy, by: room.admin) }
            // The policy change either commits at once or waits for the verdict.
            try await Self.waitForLockWaits(2, seenBy: watcher) {
                try watcher.query("SELECT max(version)::int AS v FROM workflow_policies")[0].decode("v", as: Int.self) == 2
            }
            _ = try blocker.execute("COMMIT")
            _ = try await verdict.value
            _ = try await change.value
            #expect(try await queue(room, room.legal).map(\.waitingFor) == ["legal_review"])
            #expect(try await queue(room, room.editor).isEmpty, "approval waits for legal_review")
        }
    }

    /// A transition written in one statement on a held detail waits for a policy change in
    /// flight at the lock its write of the queue takes, before the statement's snapshot: it
    /// then sees the new policy, and its steps are the new policy's.
    @Test func aTransitionOnAHeldDetailWaitsForAPolicyChangeInFlight() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft(section: "world").article.id
            _ = try await room.services.articles.get(id, by: room.writer)
            // A policy change in flight, as PolicyService.replace starts one.
            let changer = try PostgresConnection(connectionString: room.connectionString)
            let watcher = try PostgresConnection(connectionString: room.connectionString)
            _ = try changer.execute("BEGIN")
            _ = try changer.execute("LOCK TABLE queue_steps IN SHARE ROW EXCLUSIVE MODE")
            _ = try changer.execute(
                """
                INSERT INTO workflow_policies (version, rules, created_by)
                VALUES (2, '[{"checkpoint": "legal_review", "roles": ["legal"]}]', 'test')
                """)
            let submit = Task { try await room.act(.submit, id, by: room.writer) }
            try await Self.waitForLockWaits(1, seenBy: watcher)
            let waitingStatement = try watcher.query(
                "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            #expect(try waitingStatement[0].decode("query", as: String.self).contains("UPDATE articles"), "the one-statement write waits")
            _ = try changer.execute("COMMIT")
            #expect(try await submit.value.article.state == .inReview)
            #expect(try await queue(room, room.legal).map(\.waitingFor) == ["legal_review"])
            #expect(try await queue(room, room.factChecker).isEmpty, "source_check is the old policy's")
        }
    }

    /// Waits until `count` sessions of the test's database wait on a lock, or `instead` holds;
    /// at most 30 s, so that a statement that no longer blocks fails the test, not hangs it.
    private static func waitForLockWaits(
        _ count: Int, seenBy watcher: PostgresConnection, orUntil instead: () throws -> Bool = { false }
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try lockWaits(seenBy: watcher) < count, try !instead() {
            try #require(ContinuousClock.now < deadline, "fewer than \(count) sessions waited on a lock within 30 s")
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// How many sessions of the test's database wait on a lock, as `watcher` sees them.
    private static func lockWaits(seenBy watcher: PostgresConnection) throws -> Int {
        try watcher.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )[0].decode("n")
    }

    private func queue(_ room: Newsroom, _ caller: Caller, assigned: QueueAssigned = .mineAndUnassigned) async throws -> [QueueItem] {
        var query = QueueService.Query()
        query.assigned = assigned
        return try await room.services.queue.page(query, by: caller).items
    }

    /// Does what the queue says the caller can do next.
    private func perform(_ item: QueueItem, room: Newsroom, by caller: Caller) async throws {
        let id = item.articleID
        switch item.waitingFor {
        case "approval": _ = try await room.act(.approve, id, by: caller)
        case "publish": _ = try await room.act(.publish, id, by: caller)
        case "changes":
            let current = try await room.services.articles.get(id, by: caller).current
            let content = try Newsroom.content(current.content.title, body: current.content.body + " Sourced now.")
            _ = try await room.services.articles.edit(id, content: content, by: caller)
            _ = try await room.act(.submit, id, by: caller)
        default:
            let revision = try await room.services.articles.get(id, by: caller).article.currentRevision
            if item.waitingFor == "fact_check" {
                for claim in try await room.services.review.claims(id, by: caller) where claim.revision == revision {
                    _ = try await room.services.review.updateClaim(claim.id, on: id, status: .verified, evidence: nil, by: caller)
                }
            }
            _ = try await room.services.review.record(
                .init(checkpoint: item.waitingFor, verdict: .passed, revision: revision, note: "checked"), on: id, by: caller)
        }
    }

    /// An assignment made while its assignee is being switched off waits for that change and is
    /// then refused, so no assignment is left open for someone switched off. Before: it read
    /// the actor as still active without waiting, and its assignment stayed open.
    @Test func anAssignmentRacingItsAssigneesDeactivationIsRefused() async throws {
        try await Newsroom.with { room in
            let id = try await room.draft(section: "world").article.id
            _ = try await room.act(.submit, id, by: room.writer)
            let blocker = try PostgresConnection(connectionString: room.connectionString)
            let watcher = try PostgresConnection(connectionString: room.connectionString)
            _ = try blocker.execute("BEGIN")
            _ = try blocker.query("UPDATE actors SET active = false, version = version + 1 WHERE name = 'fiona'")
            let assignment = Task {
                try await room.services.assignments.assign(.init(step: "source_check", assignee: "fiona"), on: id, by: room.editor)
            }
            var polls = 0
            while polls < 100, try Self.lockWaits(seenBy: watcher) < 1 {
                polls += 1
                try await Task.sleep(for: .milliseconds(20))
            }
            _ = try blocker.execute("COMMIT")
            await #expect(throws: GalleyError.self) { _ = try await assignment.value }
            let open: Int = try await room.pool.query("SELECT count(*)::int FROM assignments WHERE ended_at IS NULL")[0].decode(at: 0)
            #expect(open == 0)
        }
    }

    /// A walk through the queue's pages tells overdue as of its first page. Before: a step that
    /// fell due between two pages sorted before the cursor on the second and was never shown.
    @Test func aStepFallingDueBetweenPagesIsStillShown() async throws {
        try await Newsroom.with { room in
            var ids: [UUID] = []
            for index in 0..<2 {
                let id = try await room.draft(title: "Due \(index)").article.id
                _ = try await room.act(.submit, id, by: room.writer)
                ids.append(id)
            }
            let start = Date()
            _ = try await room.services.assignments.assign(.init(step: "source_check", assignee: "fiona"), on: ids[0], by: room.editor)
            _ = try await room.services.assignments.assign(
                .init(step: "source_check", assignee: "fiona", dueAt: start.addingTimeInterval(3600)), on: ids[1], by: room.editor)
            func services(at now: Date) -> GalleyServices { GalleyServices(environment: GalleyEnvironment(pool: room.pool, now: { now })) }
            var query = QueueService.Query()
            query.assigned = .me
            query.limit = 1
            let first = try await services(at: start).queue.page(query, by: room.factChecker)
            #expect(first.items.map(\.articleID) == [ids[0]])
            query.cursor = first.nextCursor
            let second = try await services(at: start.addingTimeInterval(7200)).queue.page(query, by: room.factChecker)
            #expect(second.items.map(\.articleID) == [ids[1]])
        }
    }
}
