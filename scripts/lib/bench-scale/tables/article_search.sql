-- scripts/bench-scale: the rows of `article_search` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
-- The search vector of the current text, as ArticleStore.searchVector computes it.
INSERT INTO article_search (article_id, search)
SELECT p.id, setweight(to_tsvector('english', p.title), 'A') || setweight(to_tsvector('english', p.dek), 'B') || b.vector
FROM bench_scale_plan p
JOIN bench_scale_bodies b ON b.b = CASE WHEN p.last_step >= 7 THEN p.b3 ELSE p.b2 END
ORDER BY p.n;
