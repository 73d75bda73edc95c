-- Signing in to the review desk: a password per person, server-side sessions, and a lock on a
-- name after repeated failed sign-ins. See docs/security.md, "The desk's sign-in".

-- PBKDF2-SHA256 in the PHC-like form `pbkdf2-sha256$<rounds>$<salt b64>$<hash b64>`
-- (GalleyCore/PasswordHash.swift); services never sign in, so never hold one.
ALTER TABLE actors
    ADD COLUMN password_hash text CHECK (password_hash ~ '^pbkdf2-sha256\$[0-9]{1,8}\$[A-Za-z0-9+/=]{1,200}\$[A-Za-z0-9+/=]{1,200}$'),
    ADD COLUMN password_set_at timestamptz,
    ADD CONSTRAINT services_have_no_password CHECK (kind = 'person' OR password_hash IS NULL);

-- A session is known by the SHA-256 of its secret (the cookie's value), as tokens are. It is
-- live until it ends (signed out, revoked, the actor deactivated) or goes 12 hours unused;
-- `last_seen_at` moves at most once a minute.
CREATE TABLE desk_sessions (
    id uuid PRIMARY KEY,
    actor_id uuid NOT NULL REFERENCES actors (id),
    secret_hash bytea NOT NULL UNIQUE CHECK (octet_length(secret_hash) = 32),
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    client_address text NOT NULL DEFAULT '' CHECK (char_length(client_address) <= 100),
    user_agent text NOT NULL DEFAULT '' CHECK (char_length(user_agent) <= 300),
    ended_at timestamptz,
    ended_reason text CHECK (ended_reason IN ('signed_out', 'revoked', 'deactivated')),
    CHECK ((ended_at IS NULL) = (ended_reason IS NULL))
);
CREATE INDEX desk_sessions_open_actor ON desk_sessions (actor_id, last_seen_at) WHERE ended_at IS NULL;

-- Failed sign-ins by the name tried (known or not). Five within 15 minutes lock the name for
-- 15 minutes (`sign_in_locks`); attempts while locked are refused without a password check.
CREATE TABLE sign_in_failures (
    name text NOT NULL CHECK (char_length(name) <= 64),
    at timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_name ON sign_in_failures (name, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);

CREATE TABLE sign_in_locks (
    name text PRIMARY KEY CHECK (char_length(name) <= 64),
    locked_at timestamptz NOT NULL,
    locked_until timestamptz NOT NULL
);

-- Default privileges (sql/0013) give SELECT and INSERT on new tables.
GRANT UPDATE ON desk_sessions, sign_in_locks TO galley_app;
-- Failures and locks past their 15 minutes are deleted as new ones come.
GRANT DELETE ON sign_in_failures, sign_in_locks TO galley_app;
