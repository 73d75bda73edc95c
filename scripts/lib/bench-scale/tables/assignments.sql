-- scripts/bench-scale: the rows of `assignments` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
-- The source check assigned (steps 4 and 11); done when the verdict came (steps 5 and 17).
INSERT INTO assignments (id, article_id, step, assignee_id, assigned_by, created_at, ended_at, ended_reason)
SELECT md5('bench-scale-assignment-' || x.i || '-' || p.n)::uuid, p.id, 'source_check',
       CASE x.i WHEN 1 THEN p.checker ELSE p.assignee END, e.name, bench_scale_step_at(p.t0, CASE x.i WHEN 1 THEN 4 ELSE 11 END),
       CASE WHEN x.i = 1 THEN bench_scale_step_at(p.t0, 5) WHEN p.last_step >= 17 THEN bench_scale_step_at(p.t0, 17) END,
       CASE WHEN x.i = 1 OR p.last_step >= 17 THEN 'done' END
FROM bench_scale_plan p CROSS JOIN generate_series(1, 2) x (i)
JOIN actors e ON e.id = p.editor
WHERE p.last_step >= CASE x.i WHEN 1 THEN 5 ELSE 11 END
ORDER BY p.n, x.i;
