-- audit_events is analyzed from a smaller sample, and not at all on the columns no query
-- filters, joins or sorts on.
--
-- The table only grows, so autovacuum analyzes it again after every 10% of growth. With the
-- default statistics target that reads a 30,000-row sample, hashes and JSON details
-- included: 540 ms of one core at 505,000 events, several seconds under load, during which
-- every transition on a 2-core machine waited (100-470 ms requests for 2-6 s, each time).
-- At target 30 (a 9,000-row sample) and none on the hash, details and free-text columns it
-- takes 70-90 ms and the stall is gone (docs/benchmarks.md, sixth session). The queries on
-- this table are index lookups by article, actor, time or id; their plans were compared
-- before and after and kept their indexes.
ALTER TABLE audit_events
    ALTER COLUMN prev_hash SET STATISTICS 0,
    ALTER COLUMN hash SET STATISTICS 0,
    ALTER COLUMN reason SET STATISTICS 0,
    ALTER COLUMN details SET STATISTICS 0,
    ALTER COLUMN request_id SET STATISTICS 0,
    ALTER COLUMN id SET STATISTICS 30,
    ALTER COLUMN chain SET STATISTICS 30,
    ALTER COLUMN seq SET STATISTICS 30,
    ALTER COLUMN actor_id SET STATISTICS 30,
    ALTER COLUMN actor_name SET STATISTICS 30,
    ALTER COLUMN action SET STATISTICS 30,
    ALTER COLUMN article_id SET STATISTICS 30,
    ALTER COLUMN revision SET STATISTICS 30,
    ALTER COLUMN from_state SET STATISTICS 30,
    ALTER COLUMN to_state SET STATISTICS 30,
    ALTER COLUMN at SET STATISTICS 30;
