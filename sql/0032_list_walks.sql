-- galley: no-transaction
-- A list picks its page's ids on one of these, in the list's own order (id descending too, so
-- no sort follows), testing its filter on the index entries it passes without reading their
-- rows: the tags of every article are in articles_newest, the section in articles_state_newest.
-- A tag on one article in a hundred, or a section among twelve, costs a walk of index entries
-- instead of one of rows. They replace articles_updated (updated_at DESC, id) and
-- articles_state_updated (state, updated_at DESC, id), so a write maintains as many indexes as
-- before. Run again whole if it fails half-way (docs/operations.md, "Migrations").
DROP INDEX CONCURRENTLY IF EXISTS articles_newest;
CREATE INDEX CONCURRENTLY articles_newest ON articles (updated_at DESC, id DESC) INCLUDE (tags);
DROP INDEX CONCURRENTLY IF EXISTS articles_updated;
DROP INDEX CONCURRENTLY IF EXISTS articles_state_newest;
CREATE INDEX CONCURRENTLY articles_state_newest ON articles (state, updated_at DESC, id DESC) INCLUDE (section);
DROP INDEX CONCURRENTLY IF EXISTS articles_state_updated;
