-- The append-only, hash-chained audit log. See docs/audit.md for the scheme and its reasons.
--
-- Each event belongs to one chain: `article:<id>` for everything about one article,
-- `generation:<id>` for a generation that has no article yet, `system` for actors, tokens
-- and policy. Within a chain events are numbered 1, 2, 3… and
-- each carries the SHA-256 of its canonical form, which includes the previous event's hash.
-- Writes to different articles therefore never wait on one another; writes to one article
-- are already serialised by that article's row lock.

CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chain text NOT NULL CHECK (chain = 'system' OR chain ~ '^(article|generation):[0-9a-f-]{36}$'),
    seq bigint NOT NULL CHECK (seq > 0),
    prev_hash text NOT NULL,
    hash text NOT NULL,
    actor_id uuid REFERENCES actors (id),
    actor_name text NOT NULL,
    action text NOT NULL,
    article_id uuid REFERENCES articles (id),
    revision integer,
    from_state text,
    to_state text,
    reason text,
    details jsonb NOT NULL DEFAULT '{}',
    request_id text,
    at timestamptz NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX audit_events_article ON audit_events (article_id, id) WHERE article_id IS NOT NULL;
CREATE INDEX audit_events_actor ON audit_events (actor_name, id);
CREATE INDEX audit_events_at ON audit_events (at, id);

-- The newest event of each chain. Locking a chain's row serialises appends to that chain.
CREATE TABLE audit_chain_heads (
    chain text PRIMARY KEY,
    seq bigint NOT NULL,
    hash text NOT NULL
);

-- The canonical text an event's hash covers: a version line, then every field as
-- `<UTF-8 byte count>:<text>` (or `~` for NULL) on a line of its own; the time is whole
-- microseconds since 1970. `galley audit verify` recomputes exactly this.
CREATE FUNCTION galley_audit_field(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN '~' ELSE octet_length(value)::text || ':' || value END
$$;

CREATE FUNCTION galley_audit_canonical(e audit_events) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT concat_ws(E'\n',
        'galley-audit/1',
        galley_audit_field(e.chain),
        e.seq::text,
        galley_audit_field(e.prev_hash),
        galley_audit_field(e.actor_id::text),
        galley_audit_field(e.actor_name),
        galley_audit_field(e.action),
        galley_audit_field(e.article_id::text),
        galley_audit_field(e.revision::text),
        galley_audit_field(e.from_state),
        galley_audit_field(e.to_state),
        galley_audit_field(e.reason),
        galley_audit_field(e.details::text),
        galley_audit_field(e.request_id),
        (extract(epoch FROM e.at) * 1000000)::bigint::text)
$$;

-- Numbers and links each new event into its chain, whatever the inserting statement said.
CREATE FUNCTION galley_audit_link() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    head_seq bigint;
    head_hash text;
BEGIN
    LOOP
        UPDATE audit_chain_heads SET seq = seq + 1 WHERE chain = NEW.chain RETURNING seq, hash INTO head_seq, head_hash;
        EXIT WHEN FOUND;
        INSERT INTO audit_chain_heads (chain, seq, hash) VALUES (NEW.chain, 0, '') ON CONFLICT (chain) DO NOTHING;
    END LOOP;
    NEW.seq := head_seq;
    NEW.prev_hash := head_hash;
    NEW.at := date_trunc('microseconds', NEW.at);
    NEW.hash := encode(sha256(convert_to(galley_audit_canonical(NEW), 'UTF8')), 'hex');
    UPDATE audit_chain_heads SET hash = NEW.hash WHERE chain = NEW.chain;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_events_link BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION galley_audit_link();
CREATE TRIGGER audit_events_are_immutable BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION galley_refuse_change();
CREATE TRIGGER audit_events_are_not_truncated BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION galley_refuse_change();

-- Seals: now and then the heads of every chain are hashed together with the previous
-- seal. A seal vouches that those events existed, so removing a chain's newest
-- events, or a whole chain, is detected even if the heads table is rewritten too.
CREATE TABLE audit_seals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- [[chain, seq, hash], …] sorted by chain: every chain head at sealing time.
    heads jsonb NOT NULL CHECK (jsonb_typeof(heads) = 'array'),
    prev_hash text NOT NULL,
    hash text NOT NULL,
    sealed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER audit_seals_are_immutable BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION galley_refuse_change();

GRANT SELECT, INSERT ON audit_events, audit_seals TO galley_app;
GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO galley_app;
