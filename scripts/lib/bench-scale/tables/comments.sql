-- scripts/bench-scale: the rows of `comments` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
-- The editor's comment on revision 3 (step 12), resolved by them (step 16).
INSERT INTO comments (id, article_id, revision, quote, body, author_id, created_at, resolved_at, resolved_by)
SELECT md5('bench-scale-comment-' || p.n)::uuid, p.id, 3, 'complaints rose by a third', 'Which report is this from?', p.editor,
       bench_scale_step_at(p.t0, 12), CASE WHEN p.last_step >= 16 THEN bench_scale_step_at(p.t0, 16) END,
       CASE WHEN p.last_step >= 16 THEN p.editor END
FROM bench_scale_plan p WHERE p.last_step >= 12 ORDER BY p.n;
