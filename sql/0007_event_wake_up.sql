-- Recording a published event no longer sends `NOTIFY galley_events` from inside the writing
-- transaction: PostgreSQL serialises the commits of all transactions that sent a notification
-- on one global lock, and under steady writes that queue was the slow tail of every change.
-- The services send the notification after their commit instead (EventWakeUp), coalesced
-- per server; see docs/events.md.
CREATE OR REPLACE FUNCTION galley_webhook_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text := galley_event_type(NEW.action, NEW.details);
BEGIN
    IF kind IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO event_stream (event_id, type) VALUES (NEW.id, kind);
    INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, article_id, payload, next_attempt_at, created_at, updated_at)
    SELECT w.id, NEW.id, kind, NEW.article_id, galley_event_payload(NEW, kind), NEW.at, NEW.at, NEW.at
    FROM webhooks w
    WHERE w.status = 'active' AND (w.event_types IS NULL OR kind = ANY (w.event_types));
    RETURN NULL;
END
$$;
