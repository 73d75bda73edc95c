-- Webhooks: subscriptions, a transactional outbox of deliveries, and a log of every attempt.
-- See docs/events.md.
--
-- The outbox is filled by a trigger on audit_events: every change already appends its audit
-- event in the change's own transaction, so a delivery row exists exactly when the change
-- committed. A rolled-back change leaves neither event nor delivery.

CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    url text NOT NULL CHECK (url ~ '^https?://'),
    -- NULL: every event type.
    event_types text[] CHECK (event_types IS NULL OR cardinality(event_types) > 0),
    secret text NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    paused_reason text,
    consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Creation order; deliveries of one webhook and article are sent in this order.
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- No foreign key to audit_events: the audit log must stay deletable by a superuser so
    -- that `galley audit verify` can be shown to detect it (Tests/GalleyTests/AuditTests).
    event_id bigint NOT NULL,
    event_type text NOT NULL,
    article_id uuid,
    -- The event as recorded; the body sent is rendered from it at the first attempt.
    payload jsonb NOT NULL,
    -- The exact body sent, fixed at the first attempt so every retry is byte-identical.
    body text,
    redelivery_of uuid REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivering', 'succeeded', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    -- While delivering: when another dispatcher may take the delivery over (a crashed sender).
    lease_until timestamptz,
    last_status integer,
    last_error text,
    response_excerpt text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (webhook_id, event_id) WHERE redelivery_of IS NULL;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (webhook_id, article_id, seq) WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_of_webhook ON webhook_deliveries (webhook_id, seq);

CREATE TABLE webhook_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt integer NOT NULL,
    started_at timestamptz NOT NULL,
    duration_ms integer NOT NULL,
    status_code integer,
    error text,
    response_excerpt text
);
CREATE INDEX webhook_attempts_of_delivery ON webhook_attempts (delivery_id, id);

-- The public event type of an audit action, or NULL when it is not published.
CREATE FUNCTION galley_event_type(action text, details jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE action
        WHEN 'article.submit' THEN 'article.submitted'
        WHEN 'article.approve' THEN 'article.approved'
        WHEN 'article.publish' THEN
            CASE WHEN details ? 'correction_number' THEN 'article.corrected' ELSE 'article.published' END
        WHEN 'article.unpublish' THEN 'article.unpublished'
        WHEN 'article.retract' THEN 'article.retracted'
        WHEN 'article.spike' THEN 'article.spiked'
        WHEN 'generation.failed' THEN 'generation.failed'
        WHEN 'verification.recorded' THEN 'verification.recorded'
    END
$$;

-- The JSON of a published event, as webhooks and the event stream carry it.
CREATE FUNCTION galley_event_payload(e audit_events, kind text) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object(
        'id', e.id::text, 'type', kind, 'time', e.at, 'actor', e.actor_name,
        'article_id', e.article_id, 'revision', e.revision, 'from_state', e.from_state,
        'to_state', e.to_state, 'reason', e.reason, 'details', e.details)
$$;

-- Published events in the order a stream may read them: by the inserting transaction's id,
-- then the event id. Only events whose transaction is older than every transaction still
-- running are read (`xid < pg_snapshot_xmin(pg_current_snapshot())`), so no event can
-- later appear behind a reader's position. See docs/events.md.
CREATE TABLE event_stream (
    event_id bigint PRIMARY KEY, -- no foreign key, as in webhook_deliveries
    type text NOT NULL,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX event_stream_position ON event_stream (xid, event_id);

-- Records a published event for the stream and writes one delivery per matching active
-- subscription, in the inserting transaction.
CREATE FUNCTION galley_webhook_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text := galley_event_type(NEW.action, NEW.details);
BEGIN
    IF kind IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO event_stream (event_id, type) VALUES (NEW.id, kind);
    PERFORM pg_notify('galley_events', '');
    INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, article_id, payload, next_attempt_at, created_at, updated_at)
    SELECT w.id, NEW.id, kind, NEW.article_id, galley_event_payload(NEW, kind), NEW.at, NEW.at, NEW.at
    FROM webhooks w
    WHERE w.status = 'active' AND (w.event_types IS NULL OR kind = ANY (w.event_types));
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_events_to_webhooks AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION galley_webhook_enqueue();

GRANT SELECT, INSERT, UPDATE, DELETE ON webhooks, webhook_deliveries TO galley_app;
GRANT SELECT, INSERT ON webhook_attempts, event_stream TO galley_app;
