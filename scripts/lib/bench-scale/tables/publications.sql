-- scripts/bench-scale: the rows of `publications` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
-- Scheduled at step 19 and published by the scheduler at step 20.
INSERT INTO publications (article_id, revision, responsible_editor_id, published_by, published_at)
SELECT p.id, 3, p.editor, 'system:scheduler', bench_scale_step_at(p.t0, 20) FROM bench_scale_plan p WHERE p.last_step >= 20 ORDER BY p.n;
