-- A text search lets the planner choose between walking the newest articles testing each and
-- reading a word's matches from the index (ArticleStore.searched); it chooses by how many
-- articles it expects a word in, from the statistics of the search vectors. With the default
-- target a word outside the ~200 most common lexemes was expected in one article in 350 (half
-- the least common one's share) whether it was in a thousand articles or none, so a rare or
-- absent word was walked for. At 1,000 the statistics keep ~10× as many lexemes and sample
-- 300,000 rows (an ANALYZE of 1,000,000 articles took ~4 s).
ALTER TABLE article_search ALTER COLUMN search SET STATISTICS 1000;
ANALYZE article_search;
