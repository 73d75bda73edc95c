-- galley: no-transaction
-- Lists walk articles newest first and test their filter on each entry they pass; a tag's list
-- tests it on the index entry alone (its tags are in it), never reading the row, so a tag on
-- one article in a hundred costs a short walk of the index however many articles there are.
-- Ordered as the lists order (id descending too), so no sort follows the walk. It replaces
-- articles_updated (updated_at DESC, id), which it covers: a write keeps as many indexes as before.
-- Run again whole if it fails half-way (docs/operations.md, "Migrations").
DROP INDEX CONCURRENTLY IF EXISTS articles_newest;
CREATE INDEX CONCURRENTLY articles_newest ON articles (updated_at DESC, id DESC) INCLUDE (tags);
DROP INDEX CONCURRENTLY IF EXISTS articles_updated;
