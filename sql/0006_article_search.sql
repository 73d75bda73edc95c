-- Full-text search vectors in their own table, written when an article is created and when
-- its content changes, and never by a transition.
--
-- In `articles` every transition (and every verdict, which bumps the version) is an update
-- that cannot be HOT (state and updated_at are indexed), so it added the article's whole
-- search vector to the GIN index again: ~300 keys for a 3 KB article. That queued work was
-- paid by whichever write overflowed the pending list (the slow tail of writes), and by
-- autovacuum, whose pass over the GIN index slowed every write while it ran. A transition
-- now touches neither.
CREATE TABLE article_search (
    article_id uuid PRIMARY KEY REFERENCES articles (id),
    search tsvector NOT NULL
);
INSERT INTO article_search (article_id, search) SELECT id, search FROM articles;
CREATE INDEX article_search_vector ON article_search USING gin (search) WITH (gin_pending_list_limit = 256);
ALTER TABLE articles DROP COLUMN search;
