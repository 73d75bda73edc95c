-- galley: no-transaction
-- Indexes that let pruning find old finished webhook deliveries, and the redeliveries that
-- still point at one, without reading the whole outbox. Built CONCURRENTLY, so the outbox
-- takes writes meanwhile; each is dropped first, so that a run that failed half-way (leaving
-- an INVALID index) is run again whole (docs/operations.md, "Migrations").
DROP INDEX CONCURRENTLY IF EXISTS webhook_deliveries_finished;
CREATE INDEX CONCURRENTLY webhook_deliveries_finished ON webhook_deliveries (updated_at)
    WHERE status IN ('succeeded', 'failed');
DROP INDEX CONCURRENTLY IF EXISTS webhook_deliveries_redelivery_of;
CREATE INDEX CONCURRENTLY webhook_deliveries_redelivery_of ON webhook_deliveries (redelivery_of)
    WHERE redelivery_of IS NOT NULL;
