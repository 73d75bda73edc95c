-- The public review record names the seal that lists an article's newest event
-- (docs/content.md, "The review record"): found by containment in the seals' heads, which
-- without this index reads every seal ever made.
CREATE INDEX audit_seals_heads ON audit_seals USING gin (heads jsonb_path_ops);
