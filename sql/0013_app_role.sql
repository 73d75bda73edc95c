-- The application's privileges, complete, and nothing that could rewrite history.
--
-- Three roles (docs/decisions.md, "The app logs in as a role that cannot rewrite history"):
--   the owner    runs `galley migrate` (GALLEY_MIGRATE_URL) and owns every table, trigger and
--                function; only it or a superuser can switch a trigger off or drop a table.
--   galley_app   NOLOGIN (sql/0002): what the application may do, listed below.
--   a login      that `galley serve` and the editorial CLI use (DATABASE_URL): a member of
--                galley_app, no superuser, owning nothing. The operator creates it once
--                (scripts/db and docker-compose.yml do); creating roles is not a schema's job.
--
-- galley_app's privileges after this migration, table by table:
--   SELECT, INSERT, UPDATE, DELETE  idempotency_keys, webhooks, webhook_deliveries
--   SELECT, INSERT, UPDATE          actors, tokens, articles, article_search, generations, claims,
--                                   audit_sealed_heads
--   SELECT, INSERT                  revisions, sources, workflow_policies, verifications, approvals,
--                                   corrections, publications, publish_batches, audit_events,
--                                   audit_seals, webhook_attempts, event_stream
--   SELECT                          audit_chain_heads (moved only by galley_audit_link, below)
--   nothing                         schema_migrations
-- and nowhere TRUNCATE, TRIGGER, ownership, or CREATE in the schema.

DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO galley_app', current_schema());
    -- PostgreSQL 15's default; said again for databases made by older versions.
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
    -- Tables the owner creates from now on can be read and appended to; UPDATE and DELETE
    -- stay explicit grants of the migration that needs them.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT ON TABLES TO galley_app', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO galley_app', current_schema());
END
$$;

-- Missing since sql/0005: every create and edit writes the article's search vector.
GRANT SELECT, INSERT, UPDATE ON article_search TO galley_app;

-- The chain heads move only when an event is linked. The trigger that links events runs with
-- its owner's rights, so the application needs no write privilege on the heads, and with its
-- own search path, so a temporary table of the caller's cannot stand in for them.
ALTER FUNCTION galley_audit_link() SECURITY DEFINER;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION galley_audit_link() SET search_path = %I, pg_temp', current_schema());
END
$$;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_chain_heads FROM galley_app;

-- Never granted; revoked anyway, so that this file states all that galley_app may do.
REVOKE ALL ON schema_migrations FROM galley_app;
DO $$
BEGIN
    EXECUTE format('REVOKE TRUNCATE, TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA %I FROM galley_app', current_schema());
END
$$;
