-- scripts/bench-scale: the newsroom's text, from which prepare.sql writes every article and
-- w1-drafts.sql the drafts W1 creates, so that the newest articles read like the rest.
-- The text: 1,000 bodies of 1.5–3 KB from paragraphs on 40 topics (a topic's word is in ~5%
-- of articles' current text, the general words in all), their search vectors computed once.
CREATE TABLE bench_scale_topics (t int PRIMARY KEY, word text NOT NULL);
INSERT INTO bench_scale_topics (t, word)
SELECT ordinality - 1, word FROM unnest(ARRAY[
    'housing', 'transit', 'schools', 'hospital', 'wildfire', 'drought', 'flooding', 'election', 'budget', 'taxes',
    'pension', 'museum', 'orchestra', 'football', 'marathon', 'vaccine', 'pharmacy', 'factory', 'harbour', 'airport',
    'railway', 'bridge', 'tunnel', 'library', 'theatre', 'festival', 'farmers', 'fishing', 'mining', 'bakery',
    'startup', 'bitcoin', 'satellite', 'telescope', 'glacier', 'wolves', 'vineyard', 'cinema', 'prison', 'refugees']) WITH ORDINALITY AS w (word, ordinality);
CREATE TABLE bench_scale_bodies (b int PRIMARY KEY, body text NOT NULL, vector tsvector NOT NULL);
INSERT INTO bench_scale_bodies (b, body, vector)
SELECT b, body, to_tsvector('english', body)
FROM (
    SELECT g.b,
        'The council met on ' || (ARRAY['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'])[1 + g.b % 5]
        || ' to discuss the ' || t1.word || ' plan, after a year in which complaints rose by a third. Officials said the '
        || 'money for the first phase was in place and that the rest would be sought in the next budget round.' || E'\n\n'
        || 'Residents who spoke at the meeting described the ' || t1.word || ' situation as urgent. "We have waited long '
        || 'enough," said one of them, who has lived in the district for ' || (10 + g.b % 40) || ' years. Others asked '
        || 'for a clear timetable and for regular reports to the public.' || E'\n\n'
        || 'Experts on ' || t2.word || ' warned that costs could rise if work is delayed again. A report published last '
        || 'month estimated the extra cost at ' || (2 + g.b % 17) || ' million, and recommended that the ' || t2.word
        || ' programme be reviewed every six months by an independent panel.' || E'\n\n'
        || repeat('The opposition said the proposal did not go far enough and promised to raise the matter again when '
               || 'the council sets next year''s priorities. A spokesperson for the mayor said the office would publish '
               || 'the full figures before the vote.' || E'\n\n', 1 + g.b % 6)
        || 'Reference ' || g.b || '.' AS body
    FROM generate_series(0, 999) g (b)
    JOIN bench_scale_topics t1 ON t1.t = g.b % 40
    JOIN bench_scale_topics t2 ON t2.t = (g.b * 7 + 3) % 40
) x;
CREATE TABLE bench_scale_places (p int PRIMARY KEY, place text NOT NULL);
INSERT INTO bench_scale_places (p, place)
SELECT (a.i - 1) * 40 + b.i - 1, a.w || b.w
FROM unnest(ARRAY['North', 'South', 'East', 'West', 'Upper', 'Lower', 'Old', 'New', 'Great', 'Little', 'Port', 'Mount',
                  'Lake', 'Saint', 'Fort', 'Glen', 'Red', 'Green', 'Black', 'White', 'Kings', 'Queens', 'High', 'Long', 'Broad']) WITH ORDINALITY a (w, i)
CROSS JOIN unnest(ARRAY['ford', 'field', 'brook', 'bury', 'ton', 'wick', 'ham', 'stead', 'bridge', 'haven', 'moor', 'dale',
                  'wood', 'port', 'cliff', 'well', 'gate', 'mouth', 'ridge', 'shaw', 'combe', 'holm', 'thorpe', 'by',
                  'worth', 'ley', 'minster', 'borough', 'cester', 'chester', 'ing', 'hurst', 'mere', 'stow', 'wold',
                  'den', 'land', 'marsh', 'ness', 'side']) WITH ORDINALITY b (w, i);
