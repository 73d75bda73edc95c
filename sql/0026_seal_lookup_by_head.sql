-- The public review record names the seal that lists an article's newest event
-- (docs/content.md, "The review record"), found by containment in the seals' heads
-- (`heads @> [[chain, seq, hash]]`). Without an index that reads every seal ever made; the
-- default operator class keeps each chain name and hash as a key of its own, so the lookup
-- meets only the seals that list that chain.
CREATE INDEX audit_seals_heads ON audit_seals USING gin (heads);
