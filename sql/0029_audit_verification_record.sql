-- What verification has vouched for, so that `GET /v1/audit/verification` checks only what
-- changed since (docs/audit.md, "Verifying what changed").
--
-- A full verification reads every event, which grows without end in a newsroom that keeps
-- its history (docs/benchmarks.md has its rate). Each one is recorded here; the last one that found the log intact, and each
-- increment since that found it intact, move on how far the log has been verified: per chain
-- the position (seq, hash) verified up to, the last seal checked, and the oldest transaction
-- that could still have been running when that verification took its snapshot (`xmin_bound`,
-- as the seals' of sql/0010). An increment then checks only the chains moved by transactions
-- at or after that bound (`audit_chain_heads.moved_xid`, indexed), from their verified
-- positions on, and the seals made since.

-- One row per full verification, whatever it found: the history of who verified what, when.
CREATE TABLE audit_verifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    verified_by text NOT NULL,
    events_checked bigint NOT NULL,
    seals_checked bigint NOT NULL,
    ok boolean NOT NULL,
    -- {"event_id", "chain", "seq", "problem"}: the first broken event, when not ok.
    first_broken jsonb
);

-- How far the log is verified: one row, moved on as a whole by one verification at a time
-- (`version` says by which; a verification whose snapshot predates a newer one's record
-- leaves it be).
CREATE TABLE audit_verified_through (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version bigint NOT NULL,
    -- When the snapshot of the verification that moved it was taken.
    verified_at timestamptz NOT NULL,
    xmin_bound xid8 NOT NULL,
    -- The last seal checked, 0 and '' before the first seal.
    seal_id bigint NOT NULL,
    seal_hash text NOT NULL
);

-- Per chain, the last event verified.
CREATE TABLE audit_verified_heads (
    chain text PRIMARY KEY,
    seq bigint NOT NULL,
    hash text NOT NULL
);

-- galley_app (sql/0013 lists its privileges) reads and appends audit_verifications (the
-- default privileges), and moves the verified positions on. The audit log itself
-- (audit_events, audit_seals, audit_chain_heads) is untouched: still append-only.
GRANT SELECT, INSERT, UPDATE ON audit_verified_through, audit_verified_heads TO galley_app;
