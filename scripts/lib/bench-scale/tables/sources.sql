-- scripts/bench-scale: the rows of `sources` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
-- One source for each revision.
INSERT INTO sources (article_id, revision, position, url, outlet, title)
SELECT p.id, r.number, 1, p.url, 'Example Wire', 'Source for story ' || p.n
FROM bench_scale_plan p CROSS JOIN generate_series(1, 3) r (number)
WHERE r.number <= 2 OR p.last_step >= 7
ORDER BY p.n, r.number;
