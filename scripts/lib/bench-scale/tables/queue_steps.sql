-- scripts/bench-scale: the rows of `queue_steps` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
-- The open steps, as WorkQueue opens them for a human-origin article outside politics: the
-- source check while it waits (four-eyes: not its writer), then approval, then publishing.
INSERT INTO queue_steps (article_id, step, section, roles, people_only, only_actor, barred, needs_verified_claims, waiting_since)
SELECT p.id, q.step, p.section, q.roles, q.step <> 'publish', NULL,
       CASE WHEN q.step = 'publish' THEN '{}' ELSE ARRAY[w.name] END, false, bench_scale_step_at(p.t0, q.since)
FROM bench_scale_plan p
JOIN actors w ON w.id = p.writer
JOIN (VALUES ('source_check', '{fact_checker,editor}'::text[], 10, 10), ('source_check', '{fact_checker,editor}', 11, 10),
             ('approval', '{admin,editor}', 17, 17), ('publish', '{admin,editor,publisher}', 18, 18)) q (step, roles, last_step, since)
    ON q.last_step = p.last_step
WHERE p.state IN ('in_review', 'approved')
ORDER BY p.n;
