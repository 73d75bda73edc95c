-- The editorial domain: actors and tokens, articles and their immutable revisions, AI
-- generations, the workflow policy, verifications, claims, approvals, publications,
-- corrections, idempotency records and the hash-chained audit log.

-- The role the application may run as: it can read and append, never rewrite history.
-- Roles are shared by all databases of a cluster, so another database may have made it.
DO $$
BEGIN
    CREATE ROLE galley_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

CREATE TABLE actors (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    display_name text NOT NULL CHECK (display_name <> ''),
    kind text NOT NULL CHECK (kind IN ('person', 'service')),
    roles text[] NOT NULL CHECK (
        cardinality(roles) > 0
        AND roles <@ ARRAY['admin', 'editor', 'fact_checker', 'legal', 'writer', 'ai_agent', 'publisher']
    ),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Services hold service roles only, so a script can never approve or verify.
    CHECK (kind = 'person' OR roles <@ ARRAY['ai_agent', 'publisher']),
    CHECK (kind = 'service' OR NOT roles && ARRAY['ai_agent', 'publisher'])
);

CREATE TABLE tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    actor_id uuid NOT NULL REFERENCES actors (id),
    -- SHA-256 of the token; the token itself is shown once and never stored.
    token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX tokens_actor ON tokens (actor_id);

CREATE TABLE articles (
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    section text NOT NULL CHECK (section ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    tags text[] NOT NULL DEFAULT '{}',
    origin text NOT NULL CHECK (origin IN ('ai', 'human')),
    state text NOT NULL CHECK (state IN (
        'draft', 'in_review', 'approved', 'scheduled', 'published', 'unpublished', 'retracted', 'spiked')),
    current_revision integer NOT NULL CHECK (current_revision > 0),
    live_revision integer CHECK (live_revision > 0 AND live_revision <= current_revision),
    publish_at timestamptz,
    responsible_editor_id uuid REFERENCES actors (id),
    version integer NOT NULL DEFAULT 1 CHECK (version > 0),
    search tsvector NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((state = 'scheduled') = (publish_at IS NOT NULL)),
    CHECK (state <> 'published' OR live_revision IS NOT NULL),
    CHECK (state NOT IN ('unpublished', 'retracted', 'spiked') OR live_revision IS NULL)
);
CREATE INDEX articles_state_updated ON articles (state, updated_at DESC, id);
CREATE INDEX articles_updated ON articles (updated_at DESC, id);
CREATE INDEX articles_section ON articles (section);
CREATE INDEX articles_tags ON articles USING gin (tags);
CREATE INDEX articles_search ON articles USING gin (search);
CREATE INDEX articles_due ON articles (publish_at) WHERE state = 'scheduled';

CREATE TABLE generations (
    id uuid PRIMARY KEY,
    article_id uuid REFERENCES articles (id),
    brief jsonb,
    model text NOT NULL CHECK (model <> ''),
    model_version text NOT NULL,
    prompt_version text NOT NULL,
    parameters jsonb NOT NULL DEFAULT '{}',
    sources jsonb NOT NULL DEFAULT '[]',
    status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempt integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    input_tokens integer CHECK (input_tokens >= 0),
    output_tokens integer CHECK (output_tokens >= 0),
    error text,
    revision integer,
    requested_by uuid NOT NULL REFERENCES actors (id),
    created_at timestamptz NOT NULL,
    started_at timestamptz,
    finished_at timestamptz,
    updated_at timestamptz NOT NULL,
    CHECK (attempt <= max_attempts),
    CHECK (article_id IS NOT NULL OR brief IS NOT NULL),
    CHECK ((status = 'succeeded') = (revision IS NOT NULL)),
    CHECK (status <> 'failed' OR error IS NOT NULL)
);
CREATE INDEX generations_status ON generations (status, created_at DESC);
CREATE INDEX generations_article ON generations (article_id);

CREATE TABLE revisions (
    article_id uuid NOT NULL REFERENCES articles (id),
    number integer NOT NULL CHECK (number > 0),
    title text NOT NULL CHECK (title <> ''),
    dek text NOT NULL,
    body text NOT NULL CHECK (body <> ''),
    insight text,
    disclosure text,
    content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    author_id uuid NOT NULL REFERENCES actors (id),
    generation_id uuid REFERENCES generations (id),
    digital_source_type text CHECK (digital_source_type IN (
        'trainedAlgorithmicMedia', 'compositeWithTrainedAlgorithmicMedia')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (article_id, number)
);
CREATE TRIGGER revisions_are_immutable BEFORE UPDATE OR DELETE ON revisions
    FOR EACH ROW EXECUTE FUNCTION galley_refuse_change();
CREATE TRIGGER revisions_are_not_truncated BEFORE TRUNCATE ON revisions
    FOR EACH STATEMENT EXECUTE FUNCTION galley_refuse_change();

ALTER TABLE articles ADD FOREIGN KEY (id, current_revision) REFERENCES revisions (article_id, number)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE generations ADD FOREIGN KEY (article_id, revision) REFERENCES revisions (article_id, number)
    DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE sources (
    article_id uuid NOT NULL,
    revision integer NOT NULL,
    position integer NOT NULL,
    url text NOT NULL CHECK (url ~ '^https?://'),
    outlet text NOT NULL CHECK (outlet <> ''),
    title text NOT NULL,
    retrieved_at timestamptz,
    PRIMARY KEY (article_id, revision, position),
    FOREIGN KEY (article_id, revision) REFERENCES revisions (article_id, number)
);
CREATE TRIGGER sources_are_immutable BEFORE UPDATE OR DELETE ON sources
    FOR EACH ROW EXECUTE FUNCTION galley_refuse_change();

CREATE TABLE workflow_policies (
    version integer PRIMARY KEY CHECK (version > 0),
    rules jsonb NOT NULL CHECK (jsonb_typeof(rules) = 'array'),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO workflow_policies (version, rules, created_by) VALUES (1, '[
    {"checkpoint": "source_check", "roles": ["fact_checker", "editor"]},
    {"checkpoint": "fact_check", "origins": ["ai"], "roles": ["fact_checker", "editor"]},
    {"checkpoint": "legal_review", "sections": ["politics"], "roles": ["legal"]}
]', 'migration');

CREATE TABLE verifications (
    id uuid PRIMARY KEY,
    article_id uuid NOT NULL,
    revision integer NOT NULL,
    checkpoint text NOT NULL CHECK (checkpoint ~ '^[a-z][a-z0-9_]*$'),
    verdict text NOT NULL CHECK (verdict IN ('passed', 'failed', 'waived')),
    -- The exact text the verdict is about; it counts only while the article shows that text.
    content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    actor_id uuid NOT NULL REFERENCES actors (id),
    note text NOT NULL DEFAULT '',
    evidence jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL,
    FOREIGN KEY (article_id, revision) REFERENCES revisions (article_id, number),
    CHECK (verdict <> 'waived' OR note <> '')
);
CREATE INDEX verifications_revision ON verifications (article_id, revision, checkpoint, created_at DESC);
CREATE TRIGGER verifications_are_immutable BEFORE UPDATE OR DELETE ON verifications
    FOR EACH ROW EXECUTE FUNCTION galley_refuse_change();

CREATE TABLE claims (
    id uuid PRIMARY KEY,
    article_id uuid NOT NULL,
    revision integer NOT NULL,
    text text NOT NULL CHECK (text <> ''),
    status text NOT NULL DEFAULT 'unverified' CHECK (status IN ('unverified', 'verified', 'disputed', 'false')),
    evidence jsonb NOT NULL DEFAULT '[]',
    created_by uuid NOT NULL REFERENCES actors (id),
    updated_by uuid NOT NULL REFERENCES actors (id),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    FOREIGN KEY (article_id, revision) REFERENCES revisions (article_id, number)
);
CREATE INDEX claims_revision ON claims (article_id, revision);

CREATE TABLE approvals (
    article_id uuid NOT NULL,
    revision integer NOT NULL,
    content_hash text NOT NULL,
    approver_id uuid NOT NULL REFERENCES actors (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (article_id, revision, created_at),
    FOREIGN KEY (article_id, revision) REFERENCES revisions (article_id, number)
);

CREATE TABLE corrections (
    article_id uuid NOT NULL REFERENCES articles (id),
    number integer NOT NULL CHECK (number > 0),
    revision integer NOT NULL,
    kind text NOT NULL CHECK (kind IN ('correction', 'retraction')),
    note text NOT NULL CHECK (note <> ''),
    created_by uuid REFERENCES actors (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (article_id, number)
);

CREATE TABLE publications (
    article_id uuid NOT NULL,
    revision integer NOT NULL,
    responsible_editor_id uuid NOT NULL REFERENCES actors (id),
    published_by text NOT NULL,
    correction_number integer,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (article_id, published_at),
    FOREIGN KEY (article_id, revision) REFERENCES revisions (article_id, number)
);

CREATE TABLE idempotency_keys (
    actor_id uuid NOT NULL REFERENCES actors (id),
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint text NOT NULL,
    status integer NOT NULL,
    body bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor_id, key)
);

CREATE TABLE publish_batches (
    id uuid PRIMARY KEY,
    requested_by uuid NOT NULL REFERENCES actors (id),
    atomic boolean NOT NULL,
    results jsonb NOT NULL,
    created_at timestamptz NOT NULL
);

GRANT SELECT, INSERT, UPDATE ON actors, tokens, articles, generations, claims, idempotency_keys TO galley_app;
GRANT SELECT, INSERT ON revisions, sources, workflow_policies, verifications, approvals, corrections,
    publications, publish_batches TO galley_app;
GRANT DELETE ON idempotency_keys TO galley_app;
