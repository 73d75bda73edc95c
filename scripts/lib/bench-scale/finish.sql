-- scripts/bench-scale, after generating: the secondary indexes built again from their kept definitions, the event stream's last 30
-- days (older rows are pruned by GALLEY_EVENT_RETENTION's default), and the generator's
-- own tables dropped. Run with -v born=TIMESTAMPTZ.
\set ON_ERROR_STOP 1
SET maintenance_work_mem = '1GB';
SELECT definition FROM bench_scale_indexes \gexec
-- Each open step's assignee and due date, as the triggers (off while generating) would have
-- copied them from its open assignment (sql/0033).
UPDATE queue_steps s SET assignee_id = x.assignee_id, due_at = x.due_at
FROM assignments x WHERE x.article_id = s.article_id AND x.step = s.step AND x.ended_at IS NULL;
DROP TABLE bench_scale_indexes;
INSERT INTO event_stream (event_id, type)
SELECT id, galley_event_type(action, details) FROM audit_events
WHERE at >= :'born'::timestamptz - interval '30 days' AND galley_event_type(action, details) IS NOT NULL
ORDER BY id;
DROP TABLE bench_scale_plan, bench_scale_bodies, bench_scale_topics, bench_scale_places, bench_scale_staff;
DROP FUNCTION bench_scale_step_at(timestamptz, int);
