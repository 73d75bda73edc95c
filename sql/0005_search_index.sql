-- The full-text index's pending list is merged into the index by whichever write overflows
-- it, inside that write. At GIN's default limit (4 MB) that took ~250 ms every few seconds
-- under steady transitions (every article update that is not HOT queues the article's whole
-- search vector again), which was the slow tail of writes. A 256 kB list is merged sixteen
-- times as often, in a sixteenth of the time.
ALTER INDEX articles_search SET (gin_pending_list_limit = 256);
