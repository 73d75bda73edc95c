-- scripts/bench-scale, before generating: the big tables' secondary indexes are set aside
-- (their definitions kept in bench_scale_indexes) and built again whole by finish.sql, which
-- is many times faster than keeping them up to date row by row; constraints' indexes stay.
\set ON_ERROR_STOP 1
CREATE TABLE bench_scale_indexes AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relname IN ('articles', 'article_search', 'revisions', 'sources', 'claims', 'verifications', 'assignments',
                    'comments', 'approvals', 'publications', 'queue_steps', 'audit_events')
  AND t.relnamespace = current_schema()::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);
SELECT format('DROP INDEX %s', name) FROM bench_scale_indexes \gexec
