-- scripts/bench-scale, generation step 1: the newsroom's staff, the bodies' pool, and the plan
-- of every article (its state, its people, its times, its text and hashes), from which each
-- table's file in tables/ writes that table in one INSERT … SELECT, and events.sql the audit
-- log. Run by psql as the owner with -v articles=N -v review=N -v born=TIMESTAMPTZ. From the
-- plan on, the sessions run with session_replication_role = replica: foreign keys and the
-- tables' own triggers do not fire (the rows are written consistent, as the app writes them;
-- check.sql counts what foreign keys would have refused).
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';

-- The newsroom: 300 writers, 40 editors (bench-editor, made with the CLI, is one more), 30
-- fact checkers, each created by the operator as `galley actors add` would, with its event.
CREATE TABLE bench_scale_staff (role text, i int, id uuid, name text, PRIMARY KEY (role, i));
INSERT INTO bench_scale_staff (role, i, id, name)
SELECT r.role, g.i, md5('bench-scale-actor-' || r.prefix || g.i)::uuid, r.prefix || lpad(g.i::text, 3, '0')
FROM (VALUES ('writer', 'writer-', 300), ('editor', 'editor-', 40), ('fact_checker', 'checker-', 30)) r (role, prefix, n)
CROSS JOIN LATERAL generate_series(0, r.n - 1) g (i);
INSERT INTO actors (id, name, display_name, kind, roles, created_at)
SELECT id, name, initcap(replace(name, '-', ' ')), 'person', ARRAY[role], :'born'::timestamptz - interval '3651 days'
FROM bench_scale_staff ORDER BY role, i;
-- Their events, linked by the trigger into the system chain.
INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_id, actor_name, action, details, request_id, at)
SELECT 'system', 0, '', '', NULL, 'operator:root', 'actor.created',
       jsonb_build_object('kind', 'person', 'actor', name, 'roles', jsonb_build_array(role)),
       'cli-' || md5('bench-scale-cli-' || name)::uuid, :'born'::timestamptz - interval '3651 days'
FROM bench_scale_staff ORDER BY role, i;
SET session_replication_role = replica;

-- The text: topics, bodies and places (bodies.sql; W1's drafts of a run use the same).
\ir bodies.sql

-- The plan: one row per article, oldest first over ten years up to `born`. The newest
-- 2 × review articles are still being worked on: half are in review (a third of those passed
-- their source check and wait for approval, a third wait for an assigned checker, a third
-- for anyone), a tenth are drafts, a tenth approved, the rest published. Older ones are
-- published but for 1% spiked and 1% abandoned drafts. Each article moves along one
-- lifecycle (events.sql lists its 20 steps) as far as its `last_step`, 5 minutes a step.
CREATE TABLE bench_scale_plan AS
SELECT n, id, lower(regexp_replace(title, '[^A-Za-z0-9]+', '-', 'g')) || '-' || n AS slug, state, last_step, section, tags, t0, writer, editor, checker, assignee, title, dek, url,
       b1, b2, b3,
       encode(sha256(convert_to(canonical || 'body:' || octet_length(body1) || ':' || body1 || tail, 'UTF8')), 'hex') AS h1,
       encode(sha256(convert_to(canonical || 'body:' || octet_length(body2) || ':' || body2 || tail, 'UTF8')), 'hex') AS h2,
       encode(sha256(convert_to(canonical || 'body:' || octet_length(body3) || ':' || body3 || tail, 'UTF8')), 'hex') AS h3
FROM (
    SELECT s.*, bo1.body AS body1, bo2.body AS body2, bo3.body AS body3,
           E'galley-content/1\ntitle:' || octet_length(s.title) || ':' || s.title || E'\ndek:' || octet_length(s.dek) || ':' || s.dek
               || E'\n' AS canonical,
           E'\ninsight:-\ndisclosure:-\nsources:1\nsource.url:' || octet_length(s.url) || ':' || s.url
               || E'\nsource.outlet:12:Example Wire\nsource.title:' || octet_length(s.source_title) || ':' || s.source_title || E'\n' AS tail
    FROM (
        SELECT k.n, md5('bench-scale-article-' || k.n)::uuid AS id, k.state,
               CASE k.state WHEN 'published' THEN 20 WHEN 'approved' THEN 18 WHEN 'draft' THEN 2 WHEN 'spiked' THEN 2
                    ELSE (ARRAY[17, 11, 10])[1 + (k.n / 2) % 3] END AS last_step,
               (ARRAY['world', 'national', 'business', 'technology', 'science', 'health', 'sport', 'culture', 'opinion',
                      'local', 'education', 'environment'])[1 + abs(hashint4(k.n)) % 12] AS section,
               ARRAY['tag-' || lpad(((k.n * 31) % 20)::text, 3, '0'), 'tag-' || lpad((20 + (k.n * 17) % 80)::text, 3, '0'),
                     'tag-' || lpad((100 + (k.n * 13) % 100)::text, 3, '0')] AS tags,
               :'born'::timestamptz - interval '3650 days' * (1 - (k.n - 1)::float8 / :articles) - interval '2 hours' AS t0,
               (SELECT id FROM bench_scale_staff WHERE role = 'writer' AND i = k.n % 300) AS writer,
               (SELECT id FROM bench_scale_staff WHERE role = 'editor' AND i = (k.n * 7) % 40) AS editor,
               (SELECT id FROM bench_scale_staff WHERE role = 'fact_checker' AND i = (k.n * 11) % 30) AS checker,
               -- In review and assigned: a checker, or for one in seven the benchmark's editor.
               CASE WHEN k.n % 7 = 0 THEN (SELECT id FROM actors WHERE name = 'bench-editor')
                    ELSE (SELECT id FROM bench_scale_staff WHERE role = 'fact_checker' AND i = (k.n * 11) % 30) END AS assignee,
               pl.place || ' ' || tp.word || ' plan ' || (ARRAY['wins backing', 'faces delay', 'goes to a vote', 'is revised',
                   'draws protest', 'gets funding', 'is shelved', 'moves ahead'])[1 + k.n % 8] AS title,
               'What the ' || tp.word || ' decision means for ' || pl.place AS dek,
               'https://example.org/sources/' || k.n AS url, 'Source for story ' || k.n AS source_title,
               (k.n * 3 + 1) % 1000 AS b1, (k.n * 3 + 2) % 1000 AS b2, ((k.n * 3 + 3) % 1000) AS b3
        FROM (
            SELECT g.n,
                   CASE WHEN g.n > :articles - 2 * :review THEN
                            CASE WHEN g.n % 2 = 0 THEN 'in_review' WHEN g.n % 10 = 1 THEN 'draft'
                                 WHEN g.n % 10 = 3 THEN 'approved' ELSE 'published' END
                        WHEN g.n % 100 = 7 THEN 'spiked' WHEN g.n % 100 = 13 THEN 'draft' ELSE 'published' END AS state
            FROM generate_series(1, :articles) g (n)
        ) k
        JOIN bench_scale_places pl ON pl.p = (k.n * 37) % 1000
        JOIN bench_scale_topics tp ON tp.t = ((k.n * 3 + 3) % 1000) % 40
    ) s
    JOIN bench_scale_bodies bo1 ON bo1.b = s.b1
    JOIN bench_scale_bodies bo2 ON bo2.b = s.b2
    JOIN bench_scale_bodies bo3 ON bo3.b = s.b3
) x;
ALTER TABLE bench_scale_plan ADD PRIMARY KEY (n);

-- When step k of an article happened (5 minutes a step), for the tables' statements.
CREATE FUNCTION bench_scale_step_at(t0 timestamptz, k int) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$ SELECT date_trunc('microseconds', t0 + (k - 1) * interval '5 minutes') $$;
