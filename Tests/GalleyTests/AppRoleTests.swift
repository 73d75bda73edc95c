import Foundation
import Galley
import GalleyCore
import Postgres
import TestSupport
import Testing

/// The login role `galley serve` and the editorial CLI connect as (a member of `galley_app`)
/// can do the whole editorial walk, and can append to history but never rewrite it: not
/// through its grants, and not by switching off the triggers that guard the rest.
@Suite struct AppRoleTests {
    /// The refusal of `statement` run as the app's login role, or nil when it was allowed.
    func refusal(_ room: Newsroom, _ statement: SQL) async throws -> PostgresError? {
        try await TestDatabase.withAppPool(room.connectionString, size: 1) { app in
            do {
                // Rolled back either way: a statement that was allowed changes nothing here.
                try await app.transaction { conn in
                    try conn.execute(statement)
                    throw Allowed()
                }
                return nil
            } catch let error as PostgresError {
                return error
            } catch is Allowed {
                return nil
            }
        }
    }

    struct Allowed: Error {}

    @Test func theAppsLoginHasNoPrivilegeToRewriteHistory() async throws {
        try await Newsroom.with { room in
            let first = try await room.approved().article.id
            _ = try await room.act(.publish, first, by: room.publisher)
            _ = try await room.services.audit.seal()
            let statements: [SQL] = [
                "UPDATE audit_events SET reason = 'x'", "DELETE FROM audit_events", "TRUNCATE audit_events",
                "UPDATE audit_chain_heads SET seq = 1", "DELETE FROM audit_chain_heads", "TRUNCATE audit_chain_heads",
                "INSERT INTO audit_chain_heads (chain, seq, hash) VALUES ('article:00000000-0000-4000-8000-000000000000', 9, 'x')",
                "UPDATE audit_seals SET hash = 'x'", "DELETE FROM audit_seals", "TRUNCATE audit_seals",
                "UPDATE audit_seal_signatures SET signature = 'x'", "DELETE FROM audit_seal_signatures", "TRUNCATE audit_seal_signatures",
                "UPDATE revisions SET body = 'x'", "DELETE FROM revisions", "UPDATE verifications SET verdict = 'passed'",
                "DELETE FROM approvals", "UPDATE publications SET published_by = 'x'", "DELETE FROM corrections",
            ]
            for statement in statements {
                let error = try await refusal(room, statement)
                // The grant is missing, so the refusal comes before any trigger would.
                #expect(error?.sqlState == SQLState.insufficientPrivilege, "\(statement)")
                #expect(error?.message.contains("permission denied") == true, "\(statement): \(String(describing: error))")
            }
        }
    }

    @Test func theAppsLoginCannotSwitchOffTheGuards() async throws {
        try await Newsroom.with { room in
            let owner: String = try await room.pool.query("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events'")[0].decode(at: 0)
            let statements: [SQL] = [
                "ALTER TABLE audit_events DISABLE TRIGGER USER", "ALTER TABLE audit_events DISABLE TRIGGER audit_events_are_immutable",
                "DROP TRIGGER audit_events_are_immutable ON audit_events", "DROP TABLE audit_events CASCADE",
                "ALTER TABLE revisions DISABLE TRIGGER ALL", "ALTER TABLE audit_events OWNER TO galley_app_login",
                "CREATE OR REPLACE FUNCTION galley_refuse_change() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
                "SET session_replication_role = replica", SQL(stringLiteral: "SET ROLE \"\(owner)\""),
                "CREATE TABLE audit_events_copy (id bigint)",
            ]
            for statement in statements {
                let error = try await refusal(room, statement)
                #expect(error?.sqlState == SQLState.insufficientPrivilege, "\(statement): \(String(describing: error))")
            }
        }
    }

    /// The linking trigger runs with its owner's rights and its own search path, so a
    /// temporary table of the caller's cannot stand in for the chain heads.
    @Test func aTemporaryTableCannotStandInForTheChainHeads() async throws {
        try await Newsroom.with { room in
            try await TestDatabase.withAppPool(room.connectionString, size: 1) { app in
                try await app.withConnection { conn in
                    try conn.runScript("CREATE TEMPORARY TABLE audit_chain_heads (chain text PRIMARY KEY, seq bigint, hash text, moved_xid xid8)")
                    try conn.execute(
                        """
                        INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_name, action, at)
                        VALUES ('system', 0, '', '', 'intruder', 'test.note', now())
                        """)
                }
            }
            let report = try await room.services.audit.verify(by: room.admin)
            #expect(report.ok, "\(String(describing: report.firstBroken))")
            let head: Int = try await room.pool.query("SELECT seq FROM audit_chain_heads WHERE chain = 'system'")[0].decode(at: 0)
            let newest: Int = try await room.pool.query("SELECT seq FROM audit_events WHERE action = 'test.note'")[0].decode(at: 0)
            #expect(head == newest)
        }
    }

    /// Everything a newsroom does, as the app's login role: the domain's grants are complete.
    @Test func theEditorialWalkWorksAsTheAppsLogin() async throws {
        try await Newsroom.with { room in
            let user: String = try await TestDatabase.withAppPool(room.connectionString, size: 1) { app in
                try await app.query("SELECT current_user")[0].decode(at: 0)
            }
            #expect(user == TestDatabase.appLogin)
            let human = try await room.approved().article.id
            _ = try await room.act(.publish, human, by: room.publisher)
            let ai = try await room.aiDraft().article.id
            let claim = try await room.services.review.addClaim(text: "123 prisoners", revision: 1, on: ai, by: room.factChecker)
            _ = try await room.services.review.updateClaim(
                claim.id, on: ai, status: .verified, evidence: [Evidence(url: "https://example.org/news/venezuela-release")], by: room.factChecker)
            _ = try await room.act(.submit, ai, by: room.ai)
            try await room.passCheckpoints(ai)
            _ = try await room.act(.approve, ai, by: room.editor)
            _ = try await room.act(.schedule, ai, by: room.editor, publishAt: Date().addingTimeInterval(3600))
            #expect(try await room.services.publishing.publishDue().published == 0)
            _ = try await room.act(.unschedule, ai, by: room.editor)
            _ = try await room.act(.publish, ai, by: room.publisher)
            _ = try await room.act(.unpublish, human, by: room.editor, reason: "Pulled for a legal check")
            #expect(try await room.services.audit.seal() != nil)
            let report = try await room.services.audit.verify(by: room.admin)
            #expect(report.ok, "\(String(describing: report.firstBroken))")
        }
    }

    /// A desk session can be marked seen and ended by the app, never revived, moved to
    /// another person, or given another secret.
    @Test func theAppsLoginCanEndADeskSessionButNeverReviveOrMoveIt() async throws {
        try await Newsroom.with { room in
            let operatorCaller = Caller(principal: .operator(osUser: "test"))
            try await room.services.actors.setPassword(for: .name("eddie"), to: "correct horse battery staple", by: operatorCaller)
            let live = try await room.services.sessions.signIn(
                name: "eddie", password: "correct horse battery staple", clientAddress: "", userAgent: "", requestID: nil)
            let ended = try await room.services.sessions.signIn(
                name: "eddie", password: "correct horse battery staple", clientAddress: "", userAgent: "", requestID: nil)
            try await room.services.sessions.signOut(secret: ended.secret, requestID: nil)
            let other = room.admin.principal.actorID!
            let denied: [SQL] = [
                "UPDATE desk_sessions SET actor_id = \(other) WHERE id = \(live.id)",
                "UPDATE desk_sessions SET secret_hash = secret_hash WHERE id = \(live.id)",
                "UPDATE desk_sessions SET created_at = now() WHERE id = \(live.id)",
            ]
            for statement in denied {
                #expect(try await refusal(room, statement)?.sqlState == SQLState.insufficientPrivilege, "\(statement)")
            }
            let revived = try await refusal(room, "UPDATE desk_sessions SET ended_at = NULL, ended_reason = NULL WHERE id = \(ended.id)")
            #expect(revived?.message.contains("stays ended") == true, "\(String(describing: revived))")
            let reEnded = try await refusal(room, "UPDATE desk_sessions SET ended_reason = 'revoked' WHERE id = \(ended.id)")
            #expect(reEnded?.message.contains("stays ended") == true, "\(String(describing: reEnded))")
            #expect(try await refusal(room, "UPDATE desk_sessions SET last_seen_at = now() WHERE id = \(live.id)") == nil)
            #expect(
                try await refusal(room, "UPDATE desk_sessions SET ended_at = now(), ended_reason = 'revoked' WHERE id = \(live.id)") == nil)
        }
    }

    /// What `galley serve` checks at start to warn an operator who serves as the owner.
    @Test func aLoginThatCouldRewriteHistoryIsRecognised() async throws {
        try await Newsroom.with { room in
            let owner = try await DatabaseLogin.inspect(room.pool)
            #expect(owner.canRewriteHistory)
            #expect(owner.warning?.contains("superuser") == true)
            #expect(owner.warning?.contains("GALLEY_MIGRATE_URL") == true)
            let app = try await TestDatabase.withAppPool(room.connectionString, size: 1) { try await DatabaseLogin.inspect($0) }
            #expect(app == DatabaseLogin(role: TestDatabase.appLogin, isSuperuser: false, ownedTables: []))
            #expect(app.warning == nil)
        }
    }
}
