-- Bounded growth (docs/operations.md, "Retention and pruning"): `galley serve` prunes the event
-- stream's rows and finished webhook deliveries older than GALLEY_EVENT_RETENTION, and expired
-- idempotency keys. galley_app already deletes idempotency keys and webhook deliveries (whose
-- attempts go with them, by their foreign key's ON DELETE CASCADE, which runs with the
-- owner's rights); it gains DELETE on the event stream, and on nothing else. The audit log is
-- never pruned: galley_app has no DELETE on audit_events, audit_seals or any other table of
-- the audit (sql/0013_app_role.sql lists its privileges).
GRANT DELETE ON event_stream TO galley_app;
