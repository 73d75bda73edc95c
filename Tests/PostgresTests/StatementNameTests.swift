import Postgres
import Testing

/// A statement's name for metrics and spans: its verb and first table, never a value.
@Suite struct StatementNameTests {
    @Test func aStatementIsNamedByItsVerbAndFirstTable() {
        #expect(StatementName.of("SELECT title FROM articles WHERE id = $1") == "SELECT articles")
        #expect(StatementName.of("UPDATE articles SET state = $1 WHERE id = $2") == "UPDATE articles")
        #expect(StatementName.of("INSERT INTO audit_events (chain, seq) VALUES ($1, $2)") == "INSERT audit_events")
        #expect(StatementName.of("DELETE FROM queue_steps q USING a WHERE q.article_id = a.id") == "DELETE queue_steps")
        #expect(StatementName.of("WITH moved AS (SELECT chain FROM audit_chain_heads) INSERT INTO audit_seals SELECT 1") == "WITH audit_chain_heads")
        #expect(StatementName.of("select * from public.\"Actors\"") == "SELECT Actors")
        #expect(StatementName.of("BEGIN ISOLATION LEVEL REPEATABLE READ") == "BEGIN")
        #expect(StatementName.of("SELECT 1") == "SELECT")
        #expect(StatementName.of("SELECT x FROM (SELECT y FROM tokens) t") == "SELECT tokens")
    }
}
