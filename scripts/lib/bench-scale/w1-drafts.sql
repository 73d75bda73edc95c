-- scripts/bench-scale: the drafts W1 creates, as the generated articles are written (a title,
-- dek, body, section and three tags of the same mix; prepare.sql), one a line: the title, a
-- tab, then the rest of the request's JSON object without its braces (w1.lua adds a title of
-- its own to each and the source). Writes nothing: the text's tables are made and dropped in
-- a transaction that is rolled back.
\set ON_ERROR_STOP 1
BEGIN;
\ir bodies.sql
SELECT pl.place || ' ' || tp.word || ' plan ' || (ARRAY['wins backing', 'faces delay', 'goes to a vote', 'is revised',
           'draws protest', 'gets funding', 'is shelved', 'moves ahead'])[1 + n % 8]
       || E'\t' || substr(j::text, 2, length(j::text) - 2)
FROM generate_series(1, 1000) g (n)
JOIN bench_scale_places pl ON pl.p = (n * 37) % 1000
JOIN bench_scale_topics tp ON tp.t = ((n * 3 + 3) % 1000) % 40
JOIN bench_scale_bodies bo ON bo.b = (n * 3 + 3) % 1000
CROSS JOIN LATERAL json_build_object(
    'dek', 'What the ' || tp.word || ' decision means for ' || pl.place,
    'body', bo.body,
    'section', (ARRAY['world', 'national', 'business', 'technology', 'science', 'health', 'sport', 'culture', 'opinion',
                      'local', 'education', 'environment'])[1 + abs(hashint4(n)) % 12],
    'tags', json_build_array('tag-' || lpad(((n * 31) % 20)::text, 3, '0'), 'tag-' || lpad((20 + (n * 17) % 80)::text, 3, '0'),
                             'tag-' || lpad((100 + (n * 13) % 100)::text, 3, '0'))) j
ORDER BY n;
ROLLBACK;
