-- scripts/bench-scale: the rows of `articles` for every article of the plan (prepare.sql), in
-- one statement. Run in parallel with the other tables' files.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET session_replication_role = replica;
INSERT INTO articles (id, slug, section, tags, origin, state, current_revision, live_revision, publish_at,
                      responsible_editor_id, version, created_at, updated_at, first_published_at, public_updated_at)
SELECT p.id, p.slug, p.section, p.tags, 'human', p.state,
       CASE WHEN p.last_step >= 7 THEN 3 ELSE 2 END,
       CASE WHEN p.state = 'published' THEN 3 END, NULL,
       CASE WHEN p.state IN ('approved', 'published') THEN p.editor END,
       -- Every step moves the version but the comment's two (12, 16); spiking is one more.
       p.last_step - (p.last_step >= 12)::int - (p.last_step >= 16)::int + (p.state = 'spiked')::int,
       bench_scale_step_at(p.t0, 1),
       bench_scale_step_at(p.t0, CASE WHEN p.state = 'spiked' THEN 3 ELSE p.last_step END),
       CASE WHEN p.state = 'published' THEN bench_scale_step_at(p.t0, 20) END,
       CASE WHEN p.state = 'published' THEN bench_scale_step_at(p.t0, 20) END
FROM bench_scale_plan p ORDER BY p.n;
