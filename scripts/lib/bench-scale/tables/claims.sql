-- scripts/bench-scale: the rows of `claims` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
-- Two claims on revision 3 (step 8 and 9), checked at steps 13–15.
INSERT INTO claims (id, article_id, revision, text, status, created_by, updated_by, created_at, updated_at)
SELECT md5('bench-scale-claim-' || c.i || '-' || p.n)::uuid, p.id, 3,
       CASE c.i WHEN 1 THEN 'Complaints rose by a third last year.' ELSE 'The first phase is paid for.' END,
       CASE WHEN p.last_step >= 15 THEN 'verified' ELSE 'unverified' END,
       p.writer, CASE WHEN p.last_step >= 15 THEN p.checker ELSE p.writer END,
       bench_scale_step_at(p.t0, 7 + c.i),
       bench_scale_step_at(p.t0, CASE WHEN p.last_step >= 15 THEN (ARRAY[14, 15])[c.i] ELSE 7 + c.i END)
FROM bench_scale_plan p CROSS JOIN generate_series(1, 2) c (i)
WHERE p.last_step >= 9
ORDER BY p.n, c.i;
