-- Galley's first migration: helpers that later migrations build on.
-- Files in sql/ are applied in order, once each, by `galley migrate`.

-- Attached as a BEFORE UPDATE/DELETE/TRUNCATE trigger to tables whose rows must never
-- change once written (audit events, revisions).
CREATE FUNCTION galley_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: its rows are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Record a new row instead of changing history.';
END
$$;
