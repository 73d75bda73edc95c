-- The newsroom's people: actors who can be switched off and kept to a desk, tokens with a
-- label and a last use, review assignments and comment threads. See docs/workflow.md.

-- An inactive actor's tokens authenticate nothing (ActorStore.liveToken); their history
-- stays and still names them. `sections` is their desk: empty means every section.
-- `version` moves with every change, so a server that remembers an actor by its token can
-- tell that what it remembers is out of date.
ALTER TABLE actors
    ADD COLUMN active boolean NOT NULL DEFAULT true,
    ADD COLUMN sections text[] NOT NULL DEFAULT '{}' CHECK (
        cardinality(sections) <= 64 AND array_position(sections, NULL) IS NULL),
    ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0),
    ADD COLUMN updated_at timestamptz;

-- `last_used_at` is written at most once a minute per token, never on every request.
ALTER TABLE tokens
    ADD COLUMN label text NOT NULL DEFAULT '' CHECK (char_length(label) <= 200),
    ADD COLUMN last_used_at timestamptz;

-- Who is asked to take which step of an article: a checkpoint's name or 'approval'. One open
-- assignment per step; re-assigning ends the open one ('replaced'), doing the step ends it
-- ('done'), removing it ends it ('removed'). Ended rows are kept: they are history.
CREATE TABLE assignments (
    id uuid PRIMARY KEY,
    article_id uuid NOT NULL REFERENCES articles (id),
    step text NOT NULL CHECK (step ~ '^[a-z][a-z0-9_]*$'),
    assignee_id uuid NOT NULL REFERENCES actors (id),
    due_at timestamptz,
    assigned_by text NOT NULL,
    created_at timestamptz NOT NULL,
    ended_at timestamptz,
    ended_reason text CHECK (ended_reason IN ('done', 'removed', 'replaced')),
    CHECK ((ended_at IS NULL) = (ended_reason IS NULL))
);
CREATE UNIQUE INDEX assignments_open_step ON assignments (article_id, step) WHERE ended_at IS NULL;
CREATE INDEX assignments_open_assignee ON assignments (assignee_id, article_id) WHERE ended_at IS NULL;
CREATE INDEX assignments_article ON assignments (article_id, created_at);

-- Comment threads on an article: a root comment (parent_id NULL) anchored to the exact text it
-- quotes in one revision, or to a claim, and its replies. A thread is resolved on its root.
CREATE TABLE comments (
    id uuid PRIMARY KEY,
    article_id uuid NOT NULL REFERENCES articles (id),
    revision integer NOT NULL,
    parent_id uuid REFERENCES comments (id),
    claim_id uuid REFERENCES claims (id),
    quote text CHECK (quote <> '' AND char_length(quote) <= 2000),
    body text NOT NULL CHECK (body <> '' AND char_length(body) <= 10000),
    author_id uuid NOT NULL REFERENCES actors (id),
    created_at timestamptz NOT NULL,
    resolved_at timestamptz,
    resolved_by uuid REFERENCES actors (id),
    CHECK ((resolved_at IS NULL) = (resolved_by IS NULL)),
    CHECK (parent_id IS NULL OR (quote IS NULL AND resolved_at IS NULL)),
    FOREIGN KEY (article_id, revision) REFERENCES revisions (article_id, number)
);
CREATE INDEX comments_article ON comments (article_id, created_at, id);
CREATE INDEX comments_author ON comments (author_id, article_id);

-- Default privileges (sql/0013) give SELECT and INSERT on new tables; these change rows too.
GRANT UPDATE ON assignments, comments TO galley_app;

-- The new audit actions go out as events like the others.
CREATE OR REPLACE FUNCTION galley_event_type(action text, details jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE action
        WHEN 'article.submit' THEN 'article.submitted'
        WHEN 'article.approve' THEN 'article.approved'
        WHEN 'article.publish' THEN
            CASE WHEN details ? 'correction_number' THEN 'article.corrected' ELSE 'article.published' END
        WHEN 'article.publish_failed' THEN 'article.publish_failed'
        WHEN 'article.unpublish' THEN 'article.unpublished'
        WHEN 'article.retract' THEN 'article.retracted'
        WHEN 'article.spike' THEN 'article.spiked'
        WHEN 'generation.failed' THEN 'generation.failed'
        WHEN 'verification.recorded' THEN 'verification.recorded'
        WHEN 'actor.updated' THEN 'actor.updated'
        WHEN 'actor.deactivated' THEN 'actor.deactivated'
        WHEN 'assignment.created' THEN 'assignment.created'
        WHEN 'assignment.removed' THEN 'assignment.removed'
        WHEN 'comment.added' THEN 'comment.added'
        WHEN 'comment.resolved' THEN 'comment.resolved'
    END
$$;
