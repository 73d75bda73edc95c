-- A list's page is picked by a walk of articles_newest or articles_state_newest that reads no
-- row, which holds only while the pages of the articles it passes are all-visible. The newest
-- articles are the ones transitions update, and VACUUM (autovacuum too) skips cleaning the
-- indexes when under 2% of the table's pages have dead items: the newest pages then keep
-- their dead items and are never marked all-visible, and a tag's first page read 13,154 rows
-- it only had to pass (11,992 buffers against 446 after a VACUUM that cleaned the indexes).
-- So articles' indexes are always cleaned (~1 s at 1,000,000 articles).
ALTER TABLE articles SET (vacuum_index_cleanup = on);
