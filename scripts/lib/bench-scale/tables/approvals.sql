-- scripts/bench-scale: the rows of `approvals` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
INSERT INTO approvals (article_id, revision, content_hash, approver_id, created_at)
SELECT p.id, 3, p.h3, p.editor, bench_scale_step_at(p.t0, 18) FROM bench_scale_plan p WHERE p.last_step >= 18 ORDER BY p.n;
