-- The trace of the change that caused each webhook delivery: the W3C `traceparent` of the
-- span that wrote the event, so that every attempt's span joins that trace and the receiver
-- gets its trace id (docs/observability.md#traces). NULL when the change was not traced
-- (tracing off, or the request sampled out).
--
-- The statement that inserts the audit event hands it to this trigger in the
-- transaction-local setting `galley.traceparent` (AuditStore.insert): audit_events and its
-- canonical form stay as they are, and no statement or round trip is added.
ALTER TABLE webhook_deliveries ADD COLUMN traceparent text;

CREATE OR REPLACE FUNCTION galley_webhook_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text := galley_event_type(NEW.action, NEW.details);
BEGIN
    IF kind IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO event_stream (event_id, type) VALUES (NEW.id, kind);
    -- A setting once set in a session reads '' after its transaction, not NULL.
    INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, article_id, payload, next_attempt_at, created_at, updated_at,
                                    traceparent)
    SELECT w.id, NEW.id, kind, NEW.article_id, galley_event_payload(NEW, kind), NEW.at, NEW.at, NEW.at,
           NULLIF(current_setting('galley.traceparent', true), '')
    FROM webhooks w
    WHERE w.status = 'active' AND (w.event_types IS NULL OR kind = ANY (w.event_types));
    RETURN NULL;
END
$$;
