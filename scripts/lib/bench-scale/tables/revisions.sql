-- scripts/bench-scale: the rows of `revisions` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
-- Revision 1 at step 1, 2 at step 2, 3 at step 7.
INSERT INTO revisions (article_id, number, title, dek, body, content_hash, author_id, created_at)
SELECT p.id, r.number, p.title, p.dek, b.body, (ARRAY[p.h1, p.h2, p.h3])[r.number], p.writer,
       bench_scale_step_at(p.t0, (ARRAY[1, 2, 7])[r.number])
FROM bench_scale_plan p
CROSS JOIN generate_series(1, 3) r (number)
JOIN bench_scale_bodies b ON b.b = (ARRAY[p.b1, p.b2, p.b3])[r.number]
WHERE r.number <= 2 OR p.last_step >= 7
ORDER BY p.n, r.number;
