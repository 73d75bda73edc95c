-- The work queue: one row per open step of an article (a required checkpoint in review, its
-- approval, the changes its author was asked for, publishing it once approved), written in
-- the transaction that opens or closes the step. Who may take a step is decided when it
-- opens (GalleyCore's WorkQueue), so that a page of a caller's queue is a
-- filter over one index scan in waiting order. See docs/workflow.md.
CREATE TABLE queue_steps (
    article_id uuid NOT NULL REFERENCES articles (id),
    step text NOT NULL CHECK (step ~ '^[a-z][a-z0-9_]*$'),
    section text NOT NULL,
    -- Any of these roles may take it; `people_only` keeps services off it.
    roles text[] NOT NULL,
    people_only boolean NOT NULL,
    -- Only this actor (by name) may take it: the author asked for changes.
    only_actor text,
    -- Actors (by name) who may not take it: four-eyes.
    barred text[] NOT NULL DEFAULT '{}',
    -- Approval of an article that needs fact_check waits for its claims too.
    needs_verified_claims boolean NOT NULL DEFAULT false,
    waiting_since timestamptz NOT NULL,
    PRIMARY KEY (article_id, step)
);
CREATE INDEX queue_steps_waiting ON queue_steps (waiting_since, article_id, step);

GRANT UPDATE, DELETE ON queue_steps TO galley_app;
