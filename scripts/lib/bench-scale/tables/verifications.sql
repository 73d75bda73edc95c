-- scripts/bench-scale: the rows of `verifications` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
-- The source check failed on revision 2 (step 5) and passed on revision 3 (step 17).
INSERT INTO verifications (id, article_id, revision, checkpoint, verdict, content_hash, actor_id, note, created_at)
SELECT md5('bench-scale-verification-' || v.i || '-' || p.n)::uuid, p.id, v.i + 1, 'source_check',
       CASE v.i WHEN 1 THEN 'failed' ELSE 'passed' END, CASE v.i WHEN 1 THEN p.h2 ELSE p.h3 END, p.checker,
       CASE v.i WHEN 1 THEN 'A source is missing.' ELSE '' END, bench_scale_step_at(p.t0, CASE v.i WHEN 1 THEN 5 ELSE 17 END)
FROM bench_scale_plan p CROSS JOIN generate_series(1, 2) v (i)
WHERE p.last_step >= CASE v.i WHEN 1 THEN 5 ELSE 17 END
ORDER BY p.n, v.i;
